"""Is a code block shell? The fence label is a hint; the content decides.

Runbooks in wikis label blocks loosely: PromQL in a ```console fence, SQL or a Rails console session in
```bash, a config file in ```sh, command output in ```shell, and GitLab labels a fence with the host or
prompt the commands run at (```patroni-01-db-gstg, ```root, ```gcloud). A block becomes command steps
only when its content is shell; otherwise it stays in the description as text, fenced with the language
recognised here (`promql`, `sql`, `yaml`, `json`, `hcl`, `ini`, `ruby`, `javascript`, `text` for output),
so the site highlights it and nobody runs it.

Three questions, cheapest first:
- `block_language`: the whole block is plainly another language (JSON, YAML, HCL or `key = value`
  config, PromQL, SQL, a Rails/Mongo/psql/redis console session, or output only);
- `line_language`: one command of a shell block is another language or output (a pasted prompt line, a
  log line, a table header, `name.method(...)` code);
- `parses`: bash accepts the command (tree-sitter-bash first, `bash -n` only to confirm a doubt).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import yaml

from ..shell import UNQUOTED, quoting_at, syntax_errors
from ..shell.parse import parsed_tree
from ..shell.placeholders import mask_placeholders

SHELL_LABELS = frozenset({"bash", "sh", "shell", "zsh", "ksh", "fish", "dash", "console", "shell-session",
                          "shellsession", "sh-session", "bash-session", "terminal", "command", "commands",
                          "cli", "shell-script", "shellscript", "bash-script", "prompt", "session"})
PROMPT_LABELS = frozenset({"console", "shell-session", "shellsession", "sh-session", "bash-session", "terminal",
                           "session"})
# Labels that name where or as whom the commands run (GitLab writes ```root, ```sudo, or the host's name).
_PROMPT_WORDS = frozenset({"root", "sudo", "su", "admin", "user", "local", "localhost", "host", "server", "remote",
                           "node", "workstation", "laptop", "jumpbox", "bastion", "console-node", "deploy-node"})
# Labels of other languages, as people write them: text stays text, whatever it contains.
_LANGUAGE_ALIASES = {
    "sql": "sql", "psql": "sql", "postgresql": "sql", "postgres": "sql", "pgsql": "sql", "plpgsql": "sql",
    "mysql": "sql", "tsql": "sql", "plsql": "sql", "sqlite": "sql", "promql": "promql", "prometheus": "promql",
    "logql": "logql", "metricsql": "promql", "yaml": "yaml", "yml": "yaml", "json": "json", "jsonc": "json",
    "json5": "json", "jsonl": "json", "ndjson": "json", "jsonnet": "jsonnet", "libsonnet": "jsonnet", "hcl": "hcl",
    "terraform": "hcl", "tf": "hcl", "ini": "ini", "toml": "toml", "conf": "ini", "cfg": "ini", "properties": "ini",
    "ruby": "ruby", "rb": "ruby", "irb": "ruby", "rails": "ruby", "erb": "erb", "javascript": "javascript",
    "js": "javascript", "mongo": "javascript", "mongodb": "javascript", "mongosh": "javascript", "typescript": "typescript",
    "ts": "typescript", "python": "python", "py": "python", "pycon": "pycon", "go": "go", "golang": "go",
    "java": "java", "rust": "rust", "c": "c", "cpp": "cpp", "csharp": "csharp", "php": "php", "perl": "perl",
    "lua": "lua", "xml": "xml", "html": "html", "css": "css", "scss": "scss", "diff": "diff", "patch": "diff",
    "text": "text", "txt": "text", "plain": "text", "plaintext": "text", "output": "text", "log": "text",
    "logs": "text", "none": "text", "nohighlight": "text", "mermaid": "mermaid", "plantuml": "plantuml",
    "dot": "dot", "graphviz": "dot", "math": "math", "latex": "latex", "markdown": "markdown", "md": "markdown",
    "docker": "dockerfile", "dockerfile": "dockerfile", "nginx": "nginx", "apache": "apache", "http": "http",
    "regexp": "text", "regex": "text", "cron": "text", "crontab": "text", "csv": "text", "redis": "redis",
    "powershell": "powershell", "ps1": "powershell", "pwsh": "powershell", "ps": "powershell", "bat": "batch",
    "batch": "batch", "cmd": "batch", "dos": "batch", "doscon": "batch", "winbatch": "batch",
    "groovy": "groovy", "kotlin": "kotlin", "swift": "swift", "jinja": "jinja", "jinja2": "jinja", "j2": "jinja",
    "gotemplate": "text", "rego": "rego", "cue": "cue", "nix": "nix", "vim": "vim", "elixir": "elixir",
    "graphql": "graphql", "protobuf": "protobuf", "proto": "protobuf", "dql": "sql", "cql": "sql", "kql": "text",
}

# ---- whole-block recognisers ------------------------------------------------------------------------

_YAML_LINE = re.compile(r"""^\s*(---\s*$|\.\.\.\s*$|-\s|-$|("[^"]*"|'[^']*'|[\w./@-]+)\s*:(\s|$)|#)""")
_CONFIG_LINE = re.compile(r"^\s*[A-Za-z_][\w.-]*(\[[^\]]*\])?\s+=\s+\S")  # `key = value` (spaces around `=`)
_SECTION_LINE = re.compile(r"^\s*\[[\w .\"-]+\]\s*$")  # `[crio.runtime]`
_HCL_BLOCK = re.compile(r"""^\s*(resource|data|module|variable|output|provider|terraform|locals|backend|dynamic)"""
                        r"""(\s+"[^"]*")*\s*\{\s*$""")
_PROMQL_FUNCTIONS = (r"sum|avg|min|max|count|stddev|stdvar|topk|bottomk|quantile|count_values|group|rate|irate|"
                     r"increase|delta|idelta|deriv|predict_linear|histogram_quantile|label_replace|label_join|absent|"
                     r"\w+_over_time|changes|resets|clamp|clamp_min|clamp_max|vector|scalar|timestamp|sort_desc|sgn")
# An expression starts with a function call, an aggregation with `by (...)`, or a selector with labels or a range.
_PROMQL_START = re.compile(
    rf"^[(\s]*(({_PROMQL_FUNCTIONS})\s*((by|without)\s*\([^()]*\)\s*)?\((?!\s*\)\s*\{{)|"
    r"[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*(=|!=|=~|!~)[^{}]*\}|\{\})(\[\d+[smhdwy][^\]]*\])?|"
    r"[a-zA-Z_:][a-zA-Z0-9_:]*\[\d+[smhdwy][^\]]*\])")
_SQL = re.compile(
    r"^(select\b[\s\S]*\b(from|;)|select\s+(\*|\d|count|now|pg_|version|current_)|insert\s+into\b|update\s+[\w.\"]+\s+set\b|"
    r"delete\s+from\b|with\s+\w+\s+as\s*\(|create\s+(unique\s+)?(table|index|database|schema|view|role|user|extension|"
    r"publication|subscription|function|trigger|sequence|materialized)\b|drop\s+(table|index|database|schema|view|role|"
    r"user|extension|publication|subscription|function|trigger|sequence)\b|alter\s+(table|index|database|system|role|"
    r"user|sequence|publication|subscription|extension)\b|truncate\s+(table\s+)?[\w\"]|explain\b|vacuum\b|"
    r"analyze\s+[\w\"]|analyze\s*;|reindex\b|grant\s|revoke\s|begin\s*;|commit\s*;|rollback\s*;|checkpoint\s*;|"
    r"show\s+[\w.]+\s*;|set\s+[\w.]+\s*(=|to)\s*\S|lock\s+table\b|copy\s+[\w.\"]+\s+(from|to)\b|\\[a-z]{1,3}(\+|\s|$))",
    re.IGNORECASE)
_SQL_UPPER = re.compile(r"^(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE|BEGIN|COMMIT|ROLLBACK|GRANT|"
                        r"REVOKE|EXPLAIN|VACUUM|ANALYZE|REINDEX|SHOW|SET|LOCK)\b")
# Code of another language: `Feature.enable(:x)`, `Gitlab::Redis.with`, `db.users.find({})`, `rs.status()`.
_RUBY = re.compile(r"^([A-Z][A-Za-z0-9]*(::[A-Z]\w*)+\b|[A-Z][A-Za-z0-9]*(::\w+)*\.[a-z_]\w*[!?]?(\(|\s|$)|"
                   r"(puts|pp|require|require_relative|def|end|include|raise)\b(?!\s*[=-])|[a-z_]\w*\s*=\s*[A-Z]\w*(::\w+)*\.|"
                   r".*\s(do\s*\|[\w, ]+\||\.each\b|\.map\b|\.find_by\w*)|.*=>\s*:?\w)")
_MONGO = re.compile(r"^(db|rs|sh)\.\w+|^use\s+\w+\s*$|^show\s+(dbs|databases|collections|users)\s*$|^db\s*$")
_CALL = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+\s*\(")  # `obj.method(` is never bash
# Prompts of programs other than a shell: the line is that program's input, not a command.
OTHER_PROMPT = re.compile(
    r"^(?P<prompt>\w[\w-]*=[#>]|\w[\w-]*-[#>]|mysql>|MariaDB \[[^\]]*\]>|irb\([^)]*\)[:\d]*[>*]|\[\d+\] pry\([^)]*\)>|"
    r"pry\([^)]*\)>|(\d{1,3}\.){3}\d{1,3}:\d+(\[\d+\])?>|redis[^>\s]*>|[\w-]+:(PRIMARY|SECONDARY|ARBITER)>|>>>|\(gdb\)|"
    r"rs\d*:\w+>|mongo>|test>|admin>|cqlsh(:\w+)?>|sqlite>|postgres[=-]#|ksql>|\w+@[\w.-]+:\d+>|"
    r"PS [A-Za-z]:\\[^>]*>|[A-Za-z]:\\[^>]*>)(\s|$)")
OTHER_PROMPT_LANGUAGE = (("PS ", "powershell"), (":\\", "batch"), ("mysql>", "sql"), ("MariaDB", "sql"), ("irb", "ruby"), ("pry", "ruby"), (">>>", "pycon"),
                          ("(gdb)", "text"), ("cqlsh", "sql"), ("sqlite>", "sql"), ("ksql>", "sql"))


# Labels that name a program with a prompt of its own: the block is that program's input (SQL typed at
# psql), unless its lines start like shell commands (```psql holding `psql -h db -c 'select 1'`).
REPL_LABELS = {"psql": "sql", "mysql": "sql", "sqlite3": "sql", "cqlsh": "sql", "redis-cli": "redis",
               "redis": "redis", "mongo": "javascript", "mongosh": "javascript", "mongodb": "javascript",
               "irb": "ruby", "rails": "ruby", "gitlab-rails": "ruby", "rails-console": "ruby", "pry": "ruby",
               "influx": "text", "etcdctl": "text", "python3": "pycon"}


def repl_language(info: str, content: str) -> str | None:
    """The language of a block labelled with a program that has a prompt, when its lines are that program's
    input rather than shell commands; None otherwise."""
    language = REPL_LABELS.get(info)
    if language is None:
        return None
    lines = _content_lines(content)
    if lines and all(_known_command(line) or SHELL_START.match(line.strip()) for line in lines[:1]):
        return None
    return language


SHELL_START = re.compile(r"^(\$\s+|sudo\s|[\w.-]+@[\w.-]+:\S*[$#]\s)")


def label_language(info: str) -> str | None:
    """The language a fence label names, when it is not shell (None for shell labels and unknown words)."""
    return _LANGUAGE_ALIASES.get(info)


def label_is_shell(info: str) -> bool:
    """```bash and friends, and labels that name a host, a user or a program (GitLab's ```patroni-01-db-gstg)."""
    from .commands import KNOWN_PROGRAMS

    if info in SHELL_LABELS or info in _PROMPT_WORDS or info in KNOWN_PROGRAMS:
        return True
    if info in _LANGUAGE_ALIASES:
        return False
    if re.fullmatch(r"[\w.-]+@[\w.-]+.*", info):  # user@host
        return True
    # a host name: words joined by `-` or `.`, with a digit or a domain (`console-01-sv-gprd`, `db1.internal`)
    return bool(re.fullmatch(r"[a-z][a-z0-9]*([-.][a-z0-9]+)+", info)) and (any(c.isdigit() for c in info) or "." in info)


def _content_lines(content: str) -> list[str]:
    return [line for line in content.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def block_language(content: str) -> tuple[str, str] | None:
    """(language, what it was recognised as) when the whole block is plainly not shell, else None."""
    lines = _content_lines(content)
    if not lines:
        return None
    first = lines[0].strip()
    if first[:1] in "{[" and _is_json(content):
        return "json", "JSON"
    prompts = [OTHER_PROMPT.match(line.strip()) for line in lines]
    if prompts[0] is not None:
        return _prompt_language(prompts[0].group("prompt")), f"a {prompts[0].group('prompt').strip()} session"
    if all(_SQL.match(line.strip()) or _SQL_UPPER.match(line.strip()) or line.startswith((" ", "\t")) or
           not _looks_like_command_start(line) for line in lines) and (_SQL.match(first) or _SQL_UPPER.match(first)):
        return "sql", "SQL"
    if any(_HCL_BLOCK.match(line) for line in lines):
        return "hcl", "HCL"
    config = sum(1 for line in lines if _CONFIG_LINE.match(line) or _SECTION_LINE.match(line) or line.strip() in "{}")
    if config * 2 > len(lines) and not any(_known_command(line) for line in lines):
        return ("toml" if any(_SECTION_LINE.match(line) for line in lines) else "ini"), "configuration (`key = value`)"
    if (_YAML_LINE.match(first) and not first.lstrip().startswith("- ") or first.startswith("---")) and \
            not any(_known_command(line) for line in lines):
        if sum(1 for line in lines if _YAML_LINE.match(line) or line.startswith((" ", "\t"))) == len(lines) and _is_yaml(content):
            return "yaml", "YAML"
    if _is_promql(lines):
        return "promql", "PromQL"
    if all(_MONGO.match(line.strip()) or line.startswith((" ", "\t", "}", ")")) for line in lines) and _MONGO.match(first):
        return "javascript", "a MongoDB shell session"
    if _RUBY.match(first) and not _known_command(first):
        return "ruby", "Ruby (a Rails console)"
    if any(re.match(r"""^@test\s+["']""", line) for line in lines):
        return "bash", "a bats test file (`@test` blocks run by bats, not commands)"
    code = _program_code(content, lines)
    if code is not None:
        return code, "program code (a script console's language)"
    if _paragraphs_are_output(content):
        return "text", "command output"
    return None


# Lines only a C-family language (Groovy in Jenkins' script console, Java, JavaScript) writes; bash rejects
# each of them: `// comment`, `obj.method(`, `def name(x) {`, `items.each { it ->`, `} else if (x) {`.
_CODE_LINE = re.compile(r"^\s*(//|/\*|\*/|[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+\s*\(|def\s+\w+\s*\(|(public|private|static|"
                        r"final|class|import|package|function|const|let|var)\s+[\w{]|\}\s*(else|catch|finally)\b|"
                        r".*\.(each|collect|findAll|forEach|map|filter)\s*[({]|.*\)\s*\{\s*$|.*->\s*$)")
_GROOVY = re.compile(r"\b(println|def|\.each\s*\{|\.findAll\s*\{|Jenkins\.instance)\b|\bit\.")
_JAVASCRIPT = re.compile(r"\b(function|const|let|console\.log|=>)\b|=>")


def _program_code(content: str, lines: list[str]) -> str | None:
    """The language of a block of C-family code (Groovy, JavaScript, Java), or None: at least two lines and
    two fifths of them only such code writes, and no line a known program's command."""
    if len(lines) < 2 or any(_known_command(line) for line in lines):
        return None
    signals = sum(1 for line in lines if _CODE_LINE.match(line))
    if signals < 2 or signals * 5 < len(lines) * 2:
        return None
    if _GROOVY.search(content):
        return "groovy"
    if _JAVASCRIPT.search(content):
        return "javascript"
    return "java" if re.search(r"\b(public|private|static)\s", content) else "text"


def _paragraphs_are_output(content: str) -> bool:
    """Every group of lines (up to a blank line) starts with a line of output: output pasted on its own
    (a table's header, then its rows), not after any command."""
    paragraphs = [p for p in re.split(r"\n\s*\n", content) if p.strip()]
    return bool(paragraphs) and all(output_line(p.strip("\n").split("\n", 1)[0]) for p in paragraphs)


def _prompt_language(prompt: str) -> str:
    for mark, language in OTHER_PROMPT_LANGUAGE:
        if mark in prompt:
            return language
    if "=" in prompt or prompt.endswith(("-#", "->")):
        return "sql"  # psql: `gitlabhq_production=#`
    if "redis" in prompt or re.match(r"(\d{1,3}\.){3}\d{1,3}:\d+", prompt):
        return "redis"
    return "javascript"  # mongo shells


def _is_json(content: str) -> bool:
    try:
        json.loads(content)
        return True
    except ValueError:
        pass
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    # JSON with `...` elisions or comments: most lines are `"key": value`, brackets or values
    shaped = sum(1 for line in lines if re.match(r'^("[^"]*"\s*:|[\]\[{}],?$|[}\]]+,?$|"[^"]*",?$|-?\d[\d.]*,?$|'
                                                 r'(true|false|null),?$|\.\.\.|//)', line))
    return shaped * 10 >= len(lines) * 8 and any(re.match(r'^"[^"]*"\s*:', line) for line in lines)


def _is_yaml(content: str) -> bool:
    try:
        data = yaml.load(content, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    return isinstance(data, (dict, list))


def _is_promql(lines: list[str]) -> bool:
    """The block starts like a PromQL expression and no line is a known program's command."""
    if not _PROMQL_START.match(lines[0].strip()):
        return False
    return not any(_known_command(line) for line in lines)


# ---- one line or one command -------------------------------------------------------------------------

_USAGE_CHOICES = re.compile(r"(?<![\w$<])<[\w.-]+(\|[\w.-]+)+>")  # `deploy <ready|drain|maint>`: pick one
_KLOG = re.compile(r"^[IWEF]\d{4}\s+\d{2}:\d{2}:\d{2}")
_TIMESTAMP = re.compile(r"^\[?\d{4}-\d{2}-\d{2}([T ]\d|\s|$)|^\[?\d{2}:\d{2}(:\d{2})?\b|^[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}")
_TABLE_HEADER = re.compile(r"^[A-Z][A-Z0-9_()%/.-]*(\s{2,}|\t)[A-Z][A-Z0-9_()%/.-]*|^([A-Z][A-Z0-9_-]+ ){2,}[A-Z][A-Z0-9_-]+\s*$")
_MESSAGE = re.compile(r"^(error|warning|warn|fatal|panic|info|debug|notice|caused by|traceback|exception|note|hint|"
                      r"usage|success|failed|done|ok)\b\s*[:!\[(-]", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\S+")


# `domain   : private.example.com`, `Key fingerprint = 856B ...`: a program's report, aligned for reading.
_ALIGNED = re.compile(r"^[\w.-]+\s+:\s|^[A-Z][a-z]+( [a-z]+)+\s+=\s")
# A sentence: plain words, then a comma within the first few (`Failed calling webhook, failing open`), or
# three words or more ending in punctuation (`this must be all in lowercase.`).
_SENTENCE = re.compile(r"^[A-Za-z][a-z']*( [a-z']+){1,3},\s|^[A-Za-z][a-z']*( [A-Za-z'][a-z']*){2,}[.,:;!?]$|"
                       r"^[A-Z][a-z']*( [A-Za-z'][a-z']*){0,4}:$")  # and a form's label: `Addon name:`
# A word in capitals is no program (`KEYS *` at redis-cli, `PIN changed.` from gpg, `PROM` a heredoc's end):
# SQL and redis commands, or output.
_UPPER_WORD = re.compile(r"^([A-Z][A-Z0-9_]+)(\s|$)")
# A line of words that starts with a capitalised one (`Send Email`, `Connect to Mailrelay using StartTLS`): a
# note written inside the block; no program is called `Send`, and no shell syntax is in it.
_TITLE_PROSE = re.compile(r"^[A-Z][a-z]+( +[A-Za-z0-9][A-Za-z0-9'-]*)* *$")
REDIS_COMMANDS = frozenset("""APPEND AUTH BGSAVE BGREWRITEAOF CLIENT CLUSTER CONFIG DBSIZE DEBUG DEL EXISTS EXPIRE FLUSHALL
    FLUSHDB GET HGET HGETALL HSET INCR INFO KEYS LATENCY LLEN LPOP LRANGE MEMORY MGET MONITOR OBJECT PING PUBLISH
    REPLICAOF ROLE SAVE SCAN SENTINEL SET SLAVEOF SLOWLOG SMEMBERS SUBSCRIBE TTL TYPE UNLINK XINFO XLEN ZCARD
    ZRANGE""".split())


def output_line(line: str) -> bool:
    """A line of what a command printed, never a command: log lines, timestamps, table headers, messages,
    `Key: value` pairs, numbers, borders, structured log records."""
    stripped = line.strip()
    if not stripped:
        return True
    first = _FIRST_WORD.match(stripped).group(0)
    if _KLOG.match(stripped) or _TIMESTAMP.match(stripped) or _TABLE_HEADER.match(stripped) or _MESSAGE.match(stripped):
        return True
    if stripped[0].isdigit() and not re.match(r"^\d+[a-z]", stripped):  # `200 OK`, `42`, `1/1 Running`
        return True
    if stripped[0] in "|+=*>})]":  # borders, bullets, `> ` prompts of other programs, closing brackets
        return True
    if re.match(r"^< (HTTP/|[A-Za-z][\w-]*: )", stripped):  # curl -v's response lines, not `< file cmd`
        return True
    if re.match(r"""^(\{\s*"|\[\s*["\d{A-Z]|["'][^"'$]*["']\s*[=:])""", stripped):  # JSON records, `[INFO]`, `"msg"="x"`
        return True
    if first.endswith(":") and first != ":" and "://" not in stripped[:12]:  # `Name:  foo`, `error: ...`
        return True
    if stripped.startswith(("HTTP/", "...", "---", "Welcome ", "Connected ", "Password:", "Enter ")):
        return True
    if first.endswith((",", ".")) and len(first) > 1 and first[:-1].isalpha():  # prose: `Done.`, `However,`
        return True
    if _ALIGNED.match(stripped) or (_SENTENCE.match(stripped) and not _known_command(stripped)):
        return True
    return False


def _looks_like_command_start(line: str) -> bool:
    return bool(re.match(r"^\s*(sudo\s+)?([a-z_./~][\w./~-]*|[A-Z_][A-Z0-9_]*=)", line))


def _known_command(line: str) -> bool:
    from .commands import KNOWN_PROGRAMS

    words = line.strip().removeprefix("$ ").split()
    while words and (words[0] in ("sudo", "time", "env", "nohup", "watch") or re.match(r"^[A-Za-z_]\w*=", words[0])):
        words = words[1:]
    return bool(words) and (words[0] in KNOWN_PROGRAMS or words[0].startswith(("./", "/usr/", "/bin/", "/opt/", "~/")))


def line_language(text: str) -> tuple[str, str] | None:
    """(language, what) when one command of a shell block is not shell, else None (judged before parsing)."""
    stripped = text.strip()
    first_line = stripped.split("\n", 1)[0]
    prompt = OTHER_PROMPT.match(first_line)
    if prompt:
        return _prompt_language(prompt.group("prompt")), f"a line of a {prompt.group('prompt').strip()} session"
    choices = _USAGE_CHOICES.search(stripped)
    if choices and quoting_at(stripped, choices.start()) == UNQUOTED:
        return "text", "a usage line (`<a|b>` choices)"
    if _known_command(first_line):
        return None
    if _SQL_UPPER.match(stripped) or _SQL.match(stripped) and not re.match(r"^set\s+[-+]", stripped):
        return "sql", "SQL"
    if _MONGO.match(stripped):
        return "javascript", "MongoDB shell"
    if _CALL.match(stripped) or (_RUBY.match(first_line) and not _looks_like_command_start(first_line.split(" ")[0] + " ")):
        return "ruby" if _RUBY.match(first_line) else "text", "code (`name.method(...)`)"
    if _TITLE_PROSE.match(first_line) and "\n" not in stripped:
        return "text", "prose (words, not a command)"
    upper = _UPPER_WORD.match(stripped)
    if upper and "=" not in stripped.split(None, 1)[0]:
        if upper.group(1) in REDIS_COMMANDS:
            return "redis", "a redis command"
        return "text", f"output (`{upper.group(1)}` is no program)"
    if _is_promql([first_line]):
        return "promql", "PromQL"
    if _CONFIG_LINE.match(first_line):
        return "ini", "configuration (`key = value`)"
    if output_line(first_line):
        return "text", "output"
    return None


def is_command_word(text: str) -> bool:
    """The first word of a command can name a program: not a flag, `/` or `dir/`, `key:` or `"a"="b"`."""
    first = text.strip().split(None, 1)[0] if text.strip() else ""
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", first):  # `PGHOST=/var/run/ PATH=... cmd`: assignments first
        return True
    if not first or first.startswith("-") or first.endswith("/"):
        return False
    if first.endswith(":") and first != ":":
        return False
    return not re.match(r"""^["'][^"']*["']=""", first)  # `"msg"="trying to connect"`: a log record


def _impossible_program(name: str) -> bool:
    """A command name no program has: a directory (`dir/`), an assignment gone wrong (`slave0:ip=10.0.0.1`,
    `metric{a="b"}`), a flag (`--no-headers` after a line break), a log line's `daemon.go:662]`, prose's `err,`."""
    if name.startswith(("$", "`", '"$')):
        return False  # `"$CMD" args`: whatever the variable holds
    if name.endswith("/") or "=" in name:
        return True
    if name[:1] in "\"'" and " " in name:  # `"storage class has no provisioner, delete the CR"`: a quoted message
        return True
    if len(name) > 1 and (name.startswith("-") or name.endswith((",", "]", ".", ":", ";"))):
        return name not in ("..", "::")
    return False


@lru_cache(maxsize=8192)
def parses(command: str) -> bool:
    """Does bash accept the command? tree-sitter answers in microseconds; only when it sees an error does
    `bash -n` (which never runs anything) decide, since the two grammars differ at the edges. A command
    whose program name cannot be one (`dir/`, `slave0:ip=10.0.0.1`, `metric{a="b"}`) or that does
    arithmetic on decimals fails when run, whatever `bash -n` says: that is not accepted either."""
    masked = mask_placeholders(command)
    root, _ = parsed_tree(masked)
    if root.has_error and syntax_errors([masked]):
        return False
    data = masked.encode("utf-8")
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "command_name":
            name = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
            if _impossible_program(name):
                return False
        elif node.type == "arithmetic_expansion" and re.search(rb"\d\.\d", data[node.start_byte:node.end_byte]):
            return False  # bash's arithmetic is integer only: `$((1.5*2))` fails when run
        stack.extend(node.children)
    return True
