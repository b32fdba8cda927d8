#!/usr/bin/env node
// Command-line front end of the WASM engine (the same module the console runs in its worker).
// `node wasm/cli.mjs --help` documents every command.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EngineError, toUnixMs } from './engine-api.mjs';
import { createNodeEngine, openBackgroundWriter } from './node-support.mjs';
import { ERROR_COLUMNS, PATH_COLUMNS, effectCsv, errorRows, graphBatches, pathRows, powershellScript, toCsv } from './plan-out.mjs';
import { splitBatch } from './protocol.mjs';

const HELP = `Usage: node wasm/cli.mjs COMMAND [options]

Runs the group-based licensing engine (WebAssembly build, wasm/dist/engine.wasm) on tenant documents.

Commands:
  process TENANT [--changes BATCH.json] [--out FILE] [--timings] [--now ISO]
          [--no-assigned-plans] [--no-audit]
      Loads the tenant document, applies the Graph JSON batch (if given), runs background license
      processing to completion and writes the resulting tenant document (with computed
      assignedLicenses, licenseAssignmentStates, consumedUnits, processing states, directoryAudits)
      to stdout or FILE. With --changes, the batch responses are added to the document as a
      top-level "responses" array in Graph batch-response shape ({id, status, body}).
  summary TENANT [--changes BATCH.json] [--process] [--now ISO] [--limit N]
      Prints readable tables: products with seats (total, assigned, available, warning,
      suspended), licensed groups with their processing state and error counts, and users in error
      with the failing products and reasons. --changes applies a batch first; --process runs the
      background processing first (otherwise states are shown as loaded). --limit caps the rows of
      the users-in-error table (default 100, 0 = all).
  TENANT is a tenant document (one JSON file), or a folder: an EntraExporter export
  (Export-Entra -Path DIR -Type Organization,SKUs,Users,Groups, or -All) or a folder of section
  files (users.json, groups.json, subscribedSkus.json, organization.json).
  sample [--out FILE] [--now ISO] [--no-assigned-plans] [--no-audit]
      Writes the built-in sample tenant (Contoso) as a tenant document.
  plan TENANT --changes BATCH.json [--format json|csv|graph-batch|powershell] [--out FILE] [--now ISO]
      Previews the changes without making them: loads the tenant, runs the processing it has
      pending, applies the batch and the processing that follows inside a journal, prints the
      effect and undoes it all. json (default): {"users":[{id, displayName, gains, loses,
      plansGained, plansLost, newErrors, clearedErrors}], "skus":[{skuId, consumedBefore,
      consumedAfter, available}], "groups":[{id, membersWithErrorsBefore, membersWithErrorsAfter}],
      "requests":[{id, status}]}, users only where something changes, sorted by id. csv: the
      per-user effect (UTF-8 with BOM). graph-batch: the changes as Graph JSON batches to send in
      order ({"batches":[{requests}], "leftOut":[{id, method, url, why}]}: our extensions and
      requests the preview refused are left out). powershell: the same steps as a Microsoft Graph
      PowerShell script (least scopes; each step reads its target first and skips what is already
      in effect; -WhatIf). BATCH.json may hold one batch of any length or an array of batches.
  errors TENANT [--group ID] [--format json|csv] [--process] [--out FILE] [--now ISO]
      Lists every user in error, one row per user, group and failing product (userId,
      userPrincipalName, displayName, groupId, group, skuId, product, error, reason); with
      --group, the users in error in that group only.
  paths TENANT [--format json|csv] [--process] [--out FILE] [--now ISO]
      Lists every license assignment path: one row per user, product and path (userId,
      userPrincipalName, displayName, skuId, product, assignment Direct|Inherited, groupId, group,
      state, error).

Options:
  --changes FILE   Graph JSON batch: {"requests":[{"id","method","url","body"}]}
  --out FILE       write the document to FILE instead of stdout (nothing is written on failure)
  --timings        print "timings: load N ms, apply N ms, process N ms, write N ms" to stderr
  --now ISO        pin the engine clock (ISO 8601, e.g. 2025-01-15T09:00:00Z) so the output is
                   deterministic; default: the real time
  --no-assigned-plans  leave users' computed assignedPlans out of the written document (about
                   12 kB per E3 + EMS user: a processed 1M-user tenant with them does not fit the
                   4 GiB WebAssembly heap)
  --no-audit       leave the directoryAudits section out of the written document
  --process        (summary) run background processing before printing
  --limit N        (summary) maximum rows of the users-in-error table
  --format F       (plan) json, csv, graph-batch or powershell; (errors, paths) json or csv
  --group ID       (errors) one group's users in error (the group's id)
  -h, --help       this text

Exit status: 0 success; 2 bad input (unreadable file, malformed JSON, schema error, bad option:
the message on stderr names the file and the path inside it); 1 internal failure.
`;

/** A failure to report on stderr with an exit status. */
class CliError extends Error {
  constructor(message, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

const OPTIONS = {
  changes: { type: 'string' },
  out: { type: 'string' },
  timings: { type: 'boolean', default: false },
  now: { type: 'string' },
  process: { type: 'boolean', default: false },
  limit: { type: 'string' },
  format: { type: 'string' },
  group: { type: 'string' },
  'no-assigned-plans': { type: 'boolean', default: false },
  'no-audit': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

const ALLOWED = {
  process: new Set(['changes', 'out', 'timings', 'now', 'no-assigned-plans', 'no-audit']),
  summary: new Set(['changes', 'process', 'now', 'limit']),
  sample: new Set(['out', 'now', 'no-assigned-plans', 'no-audit']),
  plan: new Set(['changes', 'format', 'out', 'now']),
  errors: new Set(['format', 'process', 'out', 'now', 'group']),
  paths: new Set(['format', 'process', 'out', 'now']),
};

/** The formats each command can print. */
const FORMATS = { plan: ['json', 'csv', 'graph-batch', 'powershell'], errors: ['json', 'csv'], paths: ['json', 'csv'] };

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error.message}\nRun "node wasm/cli.mjs --help" for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, ...files] = positionals;
  if (!command) throw new CliError('missing command (process, summary, plan, errors, paths or sample); see --help');
  if (!ALLOWED[command]) throw new CliError(`unknown command "${command}"; see --help`);
  for (const [key, value] of Object.entries(values)) {
    const given = value !== undefined && value !== false;
    if (given && key !== 'help' && !ALLOWED[command].has(key)) {
      throw new CliError(`option --${key} does not apply to "${command}"; see --help`);
    }
  }
  const wantFiles = command === 'sample' ? 0 : 1;
  if (files.length !== wantFiles) {
    throw new CliError(
      wantFiles ? `${command}: expected one TENANT argument (a document or a folder), got ${files.length}` : `sample: unexpected argument "${files[0]}"`,
    );
  }
  if (FORMATS[command]) {
    const format = values.format ?? 'json';
    if (!FORMATS[command].includes(format)) {
      throw new CliError(`--format: "${format}" is not one of ${FORMATS[command].join(', ')} for "${command}"`);
    }
    values.format = format;
  }
  if (command === 'plan' && values.changes === undefined) throw new CliError('plan: --changes BATCH.json is required (the changes to preview)');
  let limit = 100;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit: "${values.limit}" is not a non-negative integer`);
  }
  let now;
  if (values.now !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(values.now) || !Number.isFinite(Date.parse(values.now))) {
      throw new CliError(`--now: "${values.now}" is not an ISO 8601 date-time (e.g. 2025-01-15T09:00:00Z)`);
    }
    now = toUnixMs(values.now);
  }
  return { command, tenant: files[0], ...values, limit, now };
}

async function readInput(file, what) {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'is a directory' : error.message;
    throw new CliError(`${file}: cannot read the ${what}: ${reason}`);
  }
}

/**
 * Every file under `dir` (hidden folders such as .git left out), as {path, full} with paths from
 * the folder's parent ("EntraBackup/Users/<id>/<id>.json"), so messages name them as they stand.
 */
async function listFolder(dir) {
  const base = dirname(dir);
  const files = [];
  const walk = async (folder) => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new CliError(`${folder}: cannot read the folder: ${error.message}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push({ path: relative(base, full), full });
    }
  };
  await walk(dir);
  return files;
}

/** Size of the pieces a document is read in: the heap holds one of them, never the document. */
const PIECE_BYTES = 16 << 20;

/** Streams a document file into the engine piece by piece (any size: no 2 GiB file limit). */
function streamDocument(engine, file) {
  let fd;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'is a directory' : error.message;
    throw new CliError(`${file}: cannot read the tenant document: ${reason}`);
  }
  try {
    const size = fstatSync(fd).size;
    const piece = Buffer.allocUnsafe(Math.min(PIECE_BYTES, Math.max(size, 1)));
    return withFile(file, () => {
      engine.beginLoad(size);
      try {
        for (;;) {
          let n;
          try {
            n = readSync(fd, piece, 0, piece.length, null);
          } catch (error) {
            throw new CliError(`${file}: cannot read the tenant document: ${error.message}`);
          }
          if (n === 0) break;
          engine.feedLoad(piece.subarray(0, n));
        }
        return engine.finishLoad();
      } catch (error) {
        engine.cancelLoad();
        throw error;
      }
    });
  } finally {
    closeSync(fd);
  }
}

/** Runs an engine call on the content of `file` (or of a folder, whose messages name their files). */
function withFile(file, call, named = false) {
  try {
    return call();
  } catch (error) {
    if (error instanceof EngineError) {
      const internal = error.code === 'Internal';
      throw new CliError(`${named ? '' : `${file}: `}${error.code}: ${error.message}`, internal ? 1 : 2);
    }
    throw error;
  }
}

/** The batches of a batch file: one batch of any length (split 20 at a time), or an array of them. */
function batchParts(text) {
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null; // the engine names the syntax error
  }
  if (parsed === null) return { parsed: null, parts: [text] };
  // `plan --format graph-batch` writes {"batches": [...], "leftOut": [...]}: its batches.
  const list = Array.isArray(parsed) ? parsed : Array.isArray(parsed?.batches) ? parsed.batches : [parsed];
  return { parsed: list, parts: list.flatMap((batch) => splitBatch(batch)).map((part) => JSON.stringify(part)) };
}

async function openTenant(options, timings, { apply = true } = {}) {
  const engine = await createNodeEngine();
  if (options.now !== undefined) engine.setNow(options.now);
  let started = performance.now();
  const folder = await stat(options.tenant).then((s) => s.isDirectory(), () => false);
  let loaded;
  if (folder) {
    // One file at a time, in the order the engine asks for: an export of any size.
    const files = await listFolder(options.tenant);
    const order = withFile(options.tenant, () => engine.beginExportFiles(files.map((f) => f.path)), true);
    try {
      for (const i of order) {
        const bytes = await readInput(files[i].full, 'export file');
        withFile(options.tenant, () => engine.feedExportFile(bytes), true);
      }
      loaded = withFile(options.tenant, () => engine.finishExportFiles(), true);
    } catch (error) {
      engine.cancelLoad();
      throw error;
    }
  } else {
    loaded = streamDocument(engine, options.tenant);
  }
  for (const warning of loaded?.warnings ?? []) process.stderr.write(`${options.tenant}: ${warning}\n`);
  timings.load = performance.now() - started;
  let responses = null;
  started = performance.now();
  if (options.changes !== undefined && apply) {
    const batch = await readInput(options.changes, 'batch');
    // Graph takes at most 20 requests a batch: a longer file is applied 20 at a time, in order;
    // an array of batches (what `plan --format graph-batch` writes) one after the other.
    const { parts } = batchParts(batch.toString('utf8'));
    responses = [];
    for (const part of parts) {
      const responseText = withFile(options.changes, () => engine.applyBatchText(part));
      responses.push(...(JSON.parse(responseText).responses ?? []));
    }
  }
  timings.apply = performance.now() - started;
  return { engine, responses };
}

const isSpace = (byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Index of the last non-whitespace byte of `bytes`, or -1. */
function lastNonSpace(bytes) {
  let i = bytes.length - 1;
  while (i >= 0 && isSpace(bytes[i])) i -= 1;
  return i;
}

/**
 * The end of the document with `"responses": [...]` appended as its last top-level member: `tail`
 * is the piece holding the closing brace followed by whitespace-only pieces; `before` is the last
 * non-whitespace byte written earlier (to tell an empty object). Returns the pieces to write.
 */
function withResponses(tail, before, responses) {
  const [last, ...rest] = tail;
  const end = last ? lastNonSpace(last) : -1;
  if (end < 0 || last[end] !== 0x7d /* } */) {
    throw new CliError('the engine exported a document that is not a JSON object', 1);
  }
  const previous = lastNonSpace(last.subarray(0, end));
  const opening = (previous >= 0 ? last[previous] : before) === 0x7b; /* { */
  const member = Buffer.from(`${opening ? '' : ','}"responses":${JSON.stringify(responses)}}`, 'utf8');
  return [last.subarray(0, end), member, last.subarray(end + 1), ...rest];
}

/**
 * Streams the engine's document (in ~1 MiB pieces) to `out` through a temporary file and a rename,
 * or to stdout, with the batch responses appended when given. Nothing is left behind on failure.
 */
async function writeDocument(engine, options, responses) {
  const exportOptions = { assignedPlans: !options['no-assigned-plans'], audit: !options['no-audit'] };
  const out = options.out;
  const temporary = out === undefined ? null : join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const collected = []; // stdout: written asynchronously once the export is done
  let fd = null;
  let writer = null; // a file: written by a second thread while the export goes on
  let before = -1;
  const emit = (chunk) => {
    if (chunk.length === 0) return;
    const last = lastNonSpace(chunk);
    if (last >= 0) before = chunk[last];
    if (writer === null) collected.push(chunk);
    else writer.write(chunk);
  };
  try {
    if (temporary !== null) {
      try {
        fd = openSync(temporary, 'w');
      } catch (error) {
        throw new CliError(`${out}: cannot write the output: ${error.message}`);
      }
      writer = await openBackgroundWriter(fd);
    }
    // Hold back the piece with the closing brace (and whitespace after it) for the responses.
    let tail = [];
    try {
      engine.exportDocumentChunks((piece) => {
        const chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        if (lastNonSpace(chunk) < 0) {
          tail.push(chunk);
          return;
        }
        for (const held of tail) emit(held);
        tail = [chunk];
      }, exportOptions);
    } catch (error) {
      if (error instanceof EngineError) throw new CliError(`writing the document failed: ${error.code}: ${error.message}`, 1);
      if (error instanceof CliError) throw error;
      throw new CliError(`${out ?? 'stdout'}: cannot write the output: ${error.message}`);
    }
    for (const chunk of responses ? withResponses(tail, before, responses) : tail) emit(chunk);
    if (writer !== null) {
      const closing = writer;
      writer = null;
      await closing.close();
    }
    if (fd !== null) {
      closeSync(fd);
      fd = null;
      renameSync(temporary, out);
    }
  } catch (error) {
    if (writer !== null) await writer.abort();
    if (fd !== null) closeSync(fd);
    if (temporary !== null) rmSync(temporary, { force: true });
    if (error instanceof CliError) throw error;
    throw new CliError(`${out}: cannot write the output: ${error.message}`);
  }
  if (out === undefined) await writeStdout(collected);
}

/**
 * True once the reader of stdout has gone (`cli ... | head`: EPIPE): what is left to print is
 * dropped and the command ends as it would have, status 0 unless it failed otherwise.
 */
let stdoutClosed = false;

/**
 * @param {any} error
 * @returns {boolean} true for the errors of writing to a reader that has gone
 */
function isClosedPipe(error) {
  return error?.code === 'EPIPE' || error?.code === 'ERR_STREAM_DESTROYED';
}

/**
 * Keeps a closed stdout (or stderr) from crashing the CLI with an unhandled 'error' event: a reader
 * that stops reading early is not a failure. Any other error on the stream is thrown as before.
 */
function quietOnClosedPipe() {
  process.stdout.on('error', (error) => {
    if (!isClosedPipe(error)) throw error;
    stdoutClosed = true;
  });
  process.stderr.on('error', (error) => {
    if (!isClosedPipe(error)) throw error;
  });
}

/**
 * Writes chunks (Buffers) to stdout, waiting for each to be taken; stops quietly when the reader
 * has gone.
 * @param {Uint8Array[]} chunks
 */
async function writeStdout(chunks) {
  for (const chunk of chunks) {
    if (stdoutClosed) return;
    try {
      await new Promise((resolve, reject) => process.stdout.write(chunk, (error) => (error ? reject(error) : resolve(undefined))));
    } catch (error) {
      if (!isClosedPipe(error)) throw error;
      stdoutClosed = true;
      return;
    }
  }
}

async function runProcess(options) {
  const timings = {};
  const { engine, responses } = await openTenant(options, timings);
  let started = performance.now();
  engine.processAll({ chunkUsers: 1 << 16 });
  timings.process = performance.now() - started;
  started = performance.now();
  await writeDocument(engine, options, responses);
  engine.dispose();
  timings.write = performance.now() - started;
  if (options.timings) {
    const ms = (value) => Math.round(value);
    process.stderr.write(
      `timings: load ${ms(timings.load)} ms, apply ${ms(timings.apply)} ms, process ${ms(timings.process)} ms, write ${ms(timings.write)} ms\n`,
    );
  }
}

async function runSample(options) {
  const engine = await createNodeEngine();
  if (options.now !== undefined) engine.setNow(options.now);
  engine.loadSample();
  await writeDocument(engine, options, null);
  engine.dispose();
}

/** Formats rows (arrays of cells) as a plain-text table with a header rule. */
export function formatTable(headers, rows, numericColumns = new Set()) {
  const text = (cell) => (cell === null || cell === undefined ? '' : String(cell));
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells) =>
    cells
      .map((cell, column) => (numericColumns.has(column) ? text(cell).padStart(widths[column]) : text(cell).padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function count(value) {
  if (Array.isArray(value)) return value.length;
  return value ?? '';
}

function licenseNames(licenses, skuNames) {
  if (!Array.isArray(licenses)) return String(licenses ?? '');
  return licenses
    .map((license) => {
      if (typeof license === 'string') return skuNames.get(license) ?? license;
      return license.skuPartNumber ?? license.displayName ?? skuNames.get(license.skuId) ?? license.skuId;
    })
    .join(', ');
}

function processingState(value) {
  if (value && typeof value === 'object') return value.state ?? '';
  return value ?? '';
}

/** Every item of a list query, page by page. */
function listAll(engine, query, pageSize = 1000) {
  const items = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = engine.query({ ...query, offset, limit: pageSize });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

async function runSummary(options) {
  const { engine } = await openTenant(options, {});
  if (options.process) engine.processAll({ chunkUsers: 1 << 16 });
  const out = [];
  const tenant = engine.query({ query: 'tenant' });
  out.push(
    `Tenant: ${tenant.displayName ?? ''} (${tenant.countryLetterCode ?? ''}): ${tenant.users} users, ${tenant.groups} groups, ${tenant.skus} products` +
      (tenant.pending ? ', license processing pending' : ''),
  );

  const products = engine.query({ query: 'products' });
  const skuNames = new Map(products.map((product) => [product.skuId, product.skuPartNumber]));
  out.push('', 'Products');
  out.push(
    formatTable(
      ['Product', 'SKU', 'Total', 'Assigned', 'Available', 'Warning', 'Suspended'],
      products.map((p) => [p.displayName, p.skuPartNumber, p.total, p.assigned, p.available, p.warning, p.suspended]),
      new Set([2, 3, 4, 5, 6]),
    ),
  );

  const groups = listAll(engine, { query: 'groups', licensedOnly: true });
  out.push('', 'Licensed groups');
  out.push(
    formatTable(
      ['Group', 'Licenses', 'Members', 'Processing state', 'Members with errors'],
      groups.map((g) => [g.displayName, licenseNames(g.licenses, skuNames), count(g.members), processingState(g.processingState), count(g.membersWithErrors)]),
      new Set([2, 4]),
    ),
  );

  // The total comes from the groups' error counts; only the rows shown are listed (big tenants have
  // hundreds of thousands of pairs).
  const totalPairs = groups.reduce((sum, g) => sum + (Number(count(g.membersWithErrors)) || 0), 0);
  const wanted = options.limit === 0 ? Infinity : options.limit;
  const rows = [];
  for (const group of groups) {
    if (rows.length >= wanted) break;
    if (!count(group.membersWithErrors)) continue;
    for (let offset = 0; rows.length < wanted; ) {
      const limit = Math.min(1000, wanted - rows.length);
      const page = engine.query({ query: 'groupErrors', id: group.id, offset, limit });
      for (const item of page.items) {
        const failed = (item.failedProducts ?? []).map((product) => skuNames.get(product.skuId) ?? product.displayName ?? product.skuId);
        const reasons = [...new Set((item.failedProducts ?? []).map((product) => product.error).filter(Boolean))];
        rows.push([item.userPrincipalName ?? item.displayName, group.displayName, failed.join(', '), item.topReasonText ?? '', reasons.join(', ')]);
      }
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
  }
  out.push('', `Users in error (${totalPairs} user-group pairs)`);
  out.push(formatTable(['User', 'Group', 'Failed products', 'Reason', 'Error'], rows));
  if (rows.length < totalPairs) out.push(`... and ${totalPairs - rows.length} more (use --limit 0 for all)`);
  engine.dispose();
  await writeStdout([Buffer.from(`${out.join('\n')}\n`, 'utf8')]);
}

/** Writes text to `--out` (through a temporary file and a rename) or to stdout. */
async function writeText(options, text) {
  const bytes = Buffer.from(text, 'utf8');
  if (options.out === undefined) {
    await writeStdout([bytes]);
    return;
  }
  const temporary = join(dirname(options.out), `.${basename(options.out)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, bytes);
    renameSync(temporary, options.out);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`${options.out}: cannot write the output: ${error.message}`);
  }
}

function skuNamesOf(engine) {
  return new Map(engine.query({ query: 'products' }).map((product) => [product.skuId, product.skuPartNumber]));
}

async function runPlan(options) {
  const { engine } = await openTenant(options, {}, { apply: false });
  engine.processAll({ chunkUsers: 1 << 16 }); // what the tenant had pending is not the plan's effect
  const text = (await readInput(options.changes, 'batch')).toString('utf8');
  const { parsed, parts } = batchParts(text);
  const effect = withFile(options.changes, () => engine.planChanges(parts));
  let out;
  if (options.format === 'csv') out = effectCsv(effect, skuNamesOf(engine));
  else if (options.format === 'graph-batch') out = `${JSON.stringify(graphBatches(parsed ?? [], effect), null, 2)}\n`;
  else if (options.format === 'powershell') out = powershellScript(graphBatches(parsed ?? [], effect), skuNamesOf(engine));
  else out = `${JSON.stringify(effect)}\n`;
  engine.dispose();
  await writeText(options, out);
}

async function runErrors(options) {
  const { engine } = await openTenant(options, {}, { apply: false });
  if (options.process) engine.processAll({ chunkUsers: 1 << 16 });
  let groups;
  if (options.group !== undefined) {
    let group;
    try {
      group = engine.query({ query: 'group', id: options.group });
    } catch (error) {
      engine.dispose();
      throw new CliError(`--group: ${error?.message ?? error}`);
    }
    groups = [group];
  } else {
    groups = listAll(engine, { query: 'groups', licensedOnly: true }).filter((g) => count(g.membersWithErrors));
  }
  const entries = [];
  for (const group of groups) {
    for (const item of listAll(engine, { query: 'groupErrors', id: group.id })) entries.push({ group, item });
  }
  const rows = errorRows(entries, skuNamesOf(engine));
  engine.dispose();
  await writeRows(options, ERROR_COLUMNS, rows);
}

/** The rows as CSV (RFC 4180, UTF-8 with BOM) or a JSON array, to --out or stdout. */
async function writeRows(options, columns, rows) {
  const out = options.format === 'csv' ? toCsv(columns, rows.map((row) => columns.map((key) => row[key]))) : `${JSON.stringify(rows)}\n`;
  await writeText(options, out);
}

async function runPaths(options) {
  const { engine } = await openTenant(options, {}, { apply: false });
  if (options.process) engine.processAll({ chunkUsers: 1 << 16 });
  const rows = pathRows(listAll(engine, { query: 'assignmentPaths' }));
  engine.dispose();
  await writeRows(options, PATH_COLUMNS, rows);
}

async function main(argv) {
  const options = parseCommandLine(argv);
  if (options.help) {
    await writeStdout([Buffer.from(HELP, 'utf8')]);
    return;
  }
  if (options.command === 'process') await runProcess(options);
  else if (options.command === 'summary') await runSummary(options);
  else if (options.command === 'plan') await runPlan(options);
  else if (options.command === 'errors') await runErrors(options);
  else if (options.command === 'paths') await runPaths(options);
  else await runSample(options);
}

const isMain = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isMain) {
  quietOnClosedPipe();
  main(process.argv.slice(2)).catch((error) => {
    if (error instanceof CliError) {
      process.stderr.write(`cli: error: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`cli: internal error: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    }
  });
}
