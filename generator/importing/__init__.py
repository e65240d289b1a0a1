"""`runbook import`: Markdown runbooks in, runbooks in our YAML format out.

The flow is one module per job:

    erb.py        Middleman's `.html.md.erb` pages: the ERB helpers such pages use, read before parsing
    admonitions.py  MkDocs Material's admonitions and content tabs unfolded, so their commands are Markdown
    sections.py   Markdown (markdown-it-py) -> front matter (YAML or Hugo's TOML) + a tree of heading sections and blocks
    languages.py  is a code block shell? the fence label is a hint, the content decides (PromQL, SQL, YAML...)
    commands.py   shell code blocks and inline code -> one command per step, with titles
    assemble.py   the section tree -> a runbook mapping (title, summary, description, variables, steps) + findings
    front_matter.py  YAML front matter -> metadata, checked against the schema
    layout.py     which sections become phases (only sections with steps), which text goes where
    steps.py      blocks -> steps (commands, task lists, the prose around them)
    text.py       titles, one-line fields, ids, placeholders in prose
    variables.py  placeholders (`<pod>`, `[host]`, `{{ ns }}`, `YOUR_X_HERE`), `$VARS`, `-n production` -> variables
    writer.py     the mapping -> readable YAML (schema key order, block scalars), checked against the schema
    command.py    the CLI side: files and folders, output paths, --force, the report and exit code

Everything the importer guesses or cannot decide becomes a finding (codes RB7xx in `codes.py`); a failure
on one file is that file's finding (RB712), never an exception.
"""

from .assemble import import_markdown

__all__ = ["import_markdown"]
