"""The domain XML engine: pure Python and lxml, no Django and no libvirt.

- ``elements``: one declaration per libvirt element (fields with paths, types, labels, help)
- ``parse``:    safe parsing of untrusted XML, and the 2008 spellings rewritten
- ``assemble``: a domain split into template + devices, and put back together
- ``validate``: libvirt's RelaxNG schema plus the checks it misses
- ``compare``:  XML-aware differences
"""
