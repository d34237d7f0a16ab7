"""Subject access requests (UK GDPR Art 15) and educational-record requests:
``services`` (the clock, each handling step, and ``handle_access_request``
for several at once), ``record`` and ``sections`` (what the school holds
about a pupil), ``response`` and ``pdf`` (the response PDF and its worker)."""
