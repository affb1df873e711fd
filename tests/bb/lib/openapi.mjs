// The faces' OpenAPI documents (docs/openapi/{im,live,app}.json), read once,
// and a check of one HTTP answer against the document of its face: the
// operation (method + path), a documented status, the content type, the body
// (JSON Schema 2020-12, ajv) and the required response headers.
//
// Conventions of the documents that this file relies on (see each document's
// info.description): a path the document does not list is answered with
// components.responses.NoRoute, a listed path with another method with
// components.responses.MethodNotAllowed, a path holding an encoded NUL with
// components.responses.BadTarget, a body over the cap with TooLarge, and (im,
// app) a CORS preflight, OPTIONS on a listed path, may answer Preflight (204).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FACES = ['im', 'live', 'app'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Schema keywords of ours (annotations for the tests, see docs/robustness.md). */
export const EXTRA_KEYWORDS = ['x-userd-per-item'];

const cache = new Map();

/** The parsed document of a face. @param {'im'|'live'|'app'} face */
export function openapiDoc(face) { return face_(face).doc; }

/** Resolves a local `$ref` ("#/components/...") of the OpenAPI document (not of a schema). */
export function deref(doc, o) {
  while (o && typeof o === 'object' && typeof o.$ref === 'string') {
    const parts = o.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    o = parts.reduce((x, p) => x?.[p], doc);
    if (o === undefined) throw new Error(`unresolved $ref in the OpenAPI document`);
  }
  return o;
}

function face_(face) {
  let f = cache.get(face);
  if (f) return f;
  const file = path.join(REPO, 'docs/openapi', `${face}.json`);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const id = `userd-${face}`;
  // Schema $refs point into the OpenAPI document (#/components/schemas/X);
  // ajv sees the schemas as one schema whose $defs are those components.
  const rewrite = (v) => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    const o = {};
    for (const [k, x] of Object.entries(v))
      o[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', `${id}#/$defs/`) : rewrite(x);
    return o;
  };
  // The relaxed view: the items of per-item arrays (x-userd-per-item) may be anything.
  const relax = (v) => {
    if (Array.isArray(v)) return v.map(relax);
    if (!v || typeof v !== 'object') return v;
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = relax(x);
    if (o['x-userd-per-item']) o.items = {};
    return o;
  };
  const ajv = new Ajv2020({ strictSchema: true, strictNumbers: true, strictTuples: true, strictTypes: false, strictRequired: false, allErrors: true });
  addFormats(ajv);
  for (const k of EXTRA_KEYWORDS) ajv.addKeyword(k);
  ajv.addSchema({ $id: id, $defs: rewrite(doc.components?.schemas || {}) });
  ajv.addSchema({ $id: `${id}-relaxed`, $defs: relax(rewrite(doc.components?.schemas || {})) });
  const compiled = new Map();
  const compile = (schema, relaxed = false) => {
    const key = relaxed ? `r:${JSON.stringify(schema)}` : schema;
    let fn = compiled.get(key);
    if (!fn) {
      const s = rewrite(schema);
      compiled.set(key, (fn = ajv.compile(relaxed ? JSON.parse(JSON.stringify(relax(s)).replaceAll(`${id}#/`, `${id}-relaxed#/`)) : s)));
    }
    return fn;
  };
  // Paths as patterns; literal paths are tried before templated ones (OpenAPI's rule).
  const routes = Object.keys(doc.paths).map((p) => ({
    template: p,
    params: [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
    re: new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)') + '$'),
    templated: p.includes('{'),
  })).sort((a, b) => a.templated - b.templated);
  f = { face, doc, ajv, compile, routes };
  cache.set(face, f);
  return f;
}

/** Decodes a request target's path as the server does (percent-decoding; the query dropped). */
export function decodedPath(target) {
  const raw = target.split('?')[0];
  try { return decodeURIComponent(raw); } catch { return raw; }
}

/**
 * The operation of a request: {template, pathItem, operation, params} or
 * {template, pathItem, operation: null} (path listed, method not) or null.
 */
export function findOperation(face, method, target) {
  const f = face_(face);
  const p = decodedPath(target);
  for (const r of f.routes) {
    const m = r.re.exec(p);
    if (!m) continue;
    const pathItem = f.doc.paths[r.template];
    const operation = pathItem[method.toLowerCase()] || null;
    const params = Object.fromEntries(r.params.map((n, i) => [n, m[i + 1]]));
    return { template: r.template, pathItem, operation, params };
  }
  return null;
}

/** Every operation of a document: [{method, template, operation, pathItem}]. */
export function operations(face) {
  const { doc } = face_(face);
  const out = [];
  for (const [template, pathItem] of Object.entries(doc.paths))
    for (const m of METHODS) if (pathItem[m]) out.push({ method: m.toUpperCase(), template, operation: pathItem[m], pathItem });
  return out;
}

/**
 * Validates value against a schema of the face's document; returns ajv's errors or null.
 * relaxed: the items of per-item arrays (x-userd-per-item) may be anything.
 */
export function schemaErrors(face, schema, value, relaxed = false) {
  const fn = face_(face).compile(schema, relaxed);
  return fn(value) ? null : fn.errors;
}

const mediaType = (ct) => (ct || '').split(';')[0].trim().toLowerCase();

function describeErrors(errors) {
  return errors.slice(0, 6).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');
}

/**
 * Checks one answer against the face's document.
 * @param {'im'|'live'|'app'} face
 * @param {string} method  the request method
 * @param {string} target  the request target as sent (path and query)
 * @param {{status:number, headers:object, body:Buffer}} res  headers with lower-case names
 * @returns {string|null} what does not match, or null
 */
export function checkResponse(face, method, target, res) {
  const f = face_(face);
  // libmicrohttpd may still refuse a request itself before userd sees it, with its own HTML
  // page and no Content-Type; those answers are no face's.
  if (res.status >= 400 && !res.headers['content-type'] && /^<html>/.test((res.body ?? Buffer.alloc(0)).toString('latin1', 0, 6))) return null;
  const found = findOperation(face, method, target);
  let responses, where;
  if (decodedPath(target).includes('\u0000')) {
    // An encoded NUL in the path: refused before routing, on any path.
    responses = { 200: f.doc.components.responses.BadTarget, 400: f.doc.components.responses.BadTarget };
    where = `${method} ${target} (NUL in the path: BadTarget)`;
  } else if (!found) {
    responses = { 404: f.doc.components.responses.NoRoute };
    where = `${method} ${decodedPath(target)} (no such path: NoRoute)`;
  } else if (!found.operation) {
    responses = { 405: f.doc.components.responses.MethodNotAllowed };
    // The HTTP layer answers a CORS preflight from an allowed origin on any listed path.
    if (method.toUpperCase() === 'OPTIONS' && f.doc.components.responses.Preflight) responses[204] = f.doc.components.responses.Preflight;
    where = `${method} ${found.template} (method not listed: MethodNotAllowed)`;
  } else {
    responses = found.operation.responses;
    where = `${method} ${found.template}`;
  }
  // A body over the cap, a head over the head limits, or a client past its cap of requests in
  // flight is refused on any path, before routing.
  if (res.status === 413 && !responses[413] && f.doc.components.responses.TooLarge) responses = { 413: f.doc.components.responses.TooLarge };
  if (res.status === 431 && !responses[431] && f.doc.components.responses.HeadTooLarge) responses = { 431: f.doc.components.responses.HeadTooLarge };
  if (res.status === 429 && !responses[429] && f.doc.components.responses.TooManyRequests) responses = { 429: f.doc.components.responses.TooManyRequests };
  const status = String(res.status);
  const declared = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (!declared) return `${where}: HTTP ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`;
  const r = deref(f.doc, declared);

  for (const [name, h] of Object.entries(r.headers || {})) {
    const hd = deref(f.doc, h);
    const v = res.headers[name.toLowerCase()];
    if (v === undefined) {
      if (hd.required) return `${where}: HTTP ${status} lacks the required header ${name}`;
      continue;
    }
    if (hd.schema) {
      const errs = schemaErrors(face, hd.schema, Array.isArray(v) ? v.join(', ') : v);
      if (errs) return `${where}: HTTP ${status} header ${name}: ${describeErrors(errs)}`;
    }
  }

  let body = res.body ?? Buffer.alloc(0);
  // Content-Encoding: gzip (answers over 1 KiB): node:http hands the bytes as sent, fetch decoded.
  if (res.headers['content-encoding'] === 'gzip' && body[0] === 0x1f && body[1] === 0x8b) {
    try { body = zlib.gunzipSync(body); } catch (e) { return `${where}: HTTP ${status} gzip body does not decompress (${e.message})`; }
  }
  if (!r.content) {
    return body.length ? `${where}: HTTP ${status} should have no body, got ${body.length} bytes` : null;
  }
  const ct = mediaType(res.headers['content-type']);
  const media = r.content[ct];
  if (!media) return `${where}: HTTP ${status} Content-Type "${res.headers['content-type'] ?? ''}" is not one of ${Object.keys(r.content).join(', ')}`;
  if (!media.schema) return null;
  let value;
  if (ct === 'application/json' || ct.endsWith('+json')) {
    try { value = JSON.parse(body.toString('utf8')); } catch (e) {
      return `${where}: HTTP ${status} body is not JSON (${e.message}): ${body.toString('utf8').slice(0, 200)}`;
    }
  } else if (ct.startsWith('text/')) {
    value = body.toString('utf8');
  } else {
    return body.length ? null : `${where}: HTTP ${status} ${ct} body is empty`;
  }
  const errs = schemaErrors(face, media.schema, value);
  if (errs) return `${where}: HTTP ${status} body does not match the document: ${describeErrors(errs)}; body: ${body.toString('utf8').slice(0, 300)}`;
  return null;
}
