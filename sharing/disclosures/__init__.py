"""The disclosure log: every disclosure of pupil data outside the school
(census returns, CTFs sent, ad-hoc requests, access responses), and the
census day rules. ``services`` writes; ``census`` is plain date rules."""
