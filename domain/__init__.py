"""Pure domain of cheque-ledger: aggregates, their events and rules. No I/O."""
