"""vaultnet: a personal networking CRM in plain text.

Contacts are Markdown notes with YAML front matter in a folder (the vault). vaultnet indexes
them and derives follow-up lists and a reminder calendar. Data flows one way:
files (`vault`) -> parsed notes (`parse`) -> index (`index`) -> follow-ups (`rules`)
-> outputs (`render`), orchestrated by `pipeline`; `cli` is a thin shell over it.
"""

import logging

__version__ = "0.1.0"

# A library's notices (the cache was rebuilt) are silent unless the application shows them: the command line does.
logging.getLogger(__name__).addHandler(logging.NullHandler())
