"""The registry of Viet Nam since 01/07/2025, generated rather than written by hand: the 34
provinces' commune-level units from a maintained dataset (``dataset``), the bodies every
province has from a hand-kept table (``bodies.yaml``), written as compact registry files
(``build``) by ``plantrack registry build``. Nothing here runs when plans are loaded: the
engine reads only the generated YAML."""
