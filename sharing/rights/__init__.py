"""Other rights requests (UK GDPR Arts 16-21) and complaints about the
school's handling of personal data (DPA 2018 s164A): staff guide
docs/rights.md, the law docs/law.md, "Other rights" and "Complaints"."""
