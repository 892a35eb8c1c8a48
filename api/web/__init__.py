"""The web pages for people, in French, under ``/`` (the API keeps ``/v1``)."""
