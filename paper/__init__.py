"""Paper for people: printable cheque books and funder statements (PDF, French)."""
