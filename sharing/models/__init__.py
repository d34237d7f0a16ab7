"""Models of the three sharing sub-domains, one module each:

- ``disclosures``: the disclosure log and Common Transfer File batches;
- ``access``: subject access requests.
"""
