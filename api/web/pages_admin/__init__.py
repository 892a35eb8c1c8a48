"""Admin pages, one module per family: the dashboard, funders (commitments, payments), structures
(accreditation), prescribers, people's accounts and API keys, and the settlement and expiry runs, each
previewed before it happens. ``api/web/routes.py`` collects their ``ROUTES``.

Every action calls the same ledger command as the API, with the person's actor; a refusal re-renders the
form with its reason and status, having changed nothing; a success redirects with a fixed message
(``feedback.py``)."""
