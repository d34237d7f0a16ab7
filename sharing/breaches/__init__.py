"""The breach register (UK GDPR Arts 33-34): ``models``, ``risk`` (the
DPO's risk rating, a pure rule), ``services`` (report, assess, record a
notification), ``reminders`` (breaches near their 72-hour deadline),
``letter`` (the letter to families as a PDF), ``forms``, ``views`` and
``admin`` (the staff site). Staff guide: docs/breaches.md."""
