"""Google Business Profile: connect (OAuth for installed apps), publish local posts, reconcile (see CONTRACT.md)."""
