"""Report figures, split by idea: :mod:`.sql` (stages, money in satang), :mod:`.figures` (the SPEC
"Reports" figures per group), :mod:`.timeline` (over time, waiting), :mod:`.companies` (contributions,
certificates) and :mod:`.cache` (figures kept until a write changes them). ``csr_hub.services.reports``
puts them together.
"""
