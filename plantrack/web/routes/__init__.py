"""The dashboard's routers, one module per kind of visitor: ``reading`` (signed-in pages and a
unit's own feed), ``handin`` (an agency's submission link), ``signin``, ``coordination``."""
