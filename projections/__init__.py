"""Read models fed from the ledger's notification log, each position tracked with its rows."""
