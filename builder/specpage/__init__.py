"""Reading libvirt's Domain XML format page (formatdomain.html): its entries and their prose.

Apart from the XML engine (builder.domainxml): it reads a documentation page, not domain XML. The
specdocs app stores what it finds; tooltips show it.
"""
