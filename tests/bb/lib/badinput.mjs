// Bad inputs drawn from the faces' OpenAPI documents (docs/robustness.md).
//
// For every operation, a valid base request is made from the document's
// examples (overridden by the caller's fixtures); each class of bad input
// then changes one thing in it. A change that the document itself says is
// invalid (ajv on the request schema, or bytes that are no JSON or no UTF-8
// at all) must be refused by the face; the others are not bad input and are
// left out. So a new route, field or limit in a document is tried without
// touching this file.
import { deref, openapiDoc, operations, schemaErrors } from './openapi.mjs';

/** The classes, in the order of the table. */
export const CLASSES = [
  ['malformed', 'malformed JSON'],
  ['toplevel', 'JSON of the wrong top-level type'],
  ['types', 'wrong field types'],
  ['missing', 'missing required fields and parameters'],
  ['empty', 'empty strings'],
  ['overlong', 'overlong strings'],
  ['utf8', 'invalid UTF-8'],
  ['nul', 'NUL bytes'],
  ['control', 'control characters'],
  ['numbers', 'numbers out of range or not integers'],
  ['arrays', 'huge arrays'],
  ['nesting', 'deeply nested JSON'],
  ['duplicates', 'duplicate keys'],
  ['ctype', 'wrong or missing Content-Type'],
  ['getbody', 'bodies on GET'],
  ['creds', 'missing, garbage, expired or other-app credentials'],
  ['bigbody', 'oversize body'],
  ['bigheaders', 'oversize headers'],
  ['pathids', 'path ids: negative, zero, overflowing, non-numeric'],
];

// ---------------------------------------------------------------- schemas

/**
 * What a schema allows, flattened over $ref, allOf, anyOf and oneOf:
 * {types:Set, props:{name: schema}, items:schema|null, min, max, maxLength,
 *  maxItems, constrained (a pattern, enum, const or format)}. Used to pick candidates only:
 * whether a candidate is valid is ajv's call on the real schema.
 */
export function flatten(doc, schema) {
  const out = { types: new Set(), props: {}, items: null, constrained: false };
  const walk = (s) => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) { walk(deref(doc, { $ref: s.$ref })); }
    for (const k of ['allOf', 'anyOf', 'oneOf']) for (const x of s[k] || []) walk(x);
    if (s.type) for (const t of [].concat(s.type)) out.types.add(t);
    if ('const' in s) out.types.add(s.const === null ? 'null' : typeof s.const === 'number' ? 'integer' : typeof s.const);
    if (s.enum) for (const v of s.enum) out.types.add(v === null ? 'null' : typeof v === 'number' ? 'integer' : typeof v);
    if (s.pattern || s.enum || 'const' in s || s.format) out.constrained = true;
    for (const [k, v] of Object.entries(s.properties || {})) out.props[k] = v;
    if (s.items) out.items = s.items;
    for (const [k, f] of [['minimum', Math.max], ['exclusiveMinimum', Math.max]]) if (k in s) out.min = f(out.min ?? -Infinity, s[k] + (k.startsWith('exclusive') ? 1 : 0));
    for (const [k, f] of [['maximum', Math.min], ['exclusiveMaximum', Math.min]]) if (k in s) out.max = f(out.max ?? Infinity, s[k] - (k.startsWith('exclusive') ? 1 : 0));
    if ('maxLength' in s) out.maxLength = Math.max(out.maxLength ?? 0, s.maxLength);
    if ('maxItems' in s) out.maxItems = s.maxItems;
  };
  walk(schema);
  return out;
}

/** A query, header or path value (a decoded string) against its parameter schema. */
export function paramValid(face, schema, value) {
  const doc = openapiDoc(face);
  const f = flatten(doc, schema);
  if (value === null) return false; // bytes that are no UTF-8
  if (f.types.has('integer') && !f.types.has('string')) {
    if (!/^-?[0-9]+$/.test(value)) return false;
    const n = BigInt(value);
    return (f.min === undefined || n >= BigInt(f.min)) && (f.max === undefined || n <= BigInt(f.max));
  }
  if (f.types.has('array')) return true;
  return !schemaErrors(face, schema, value);
}

/** Percent-decodes a raw query or path value as the server does; null when the bytes are no UTF-8. */
export function decodeRaw(raw) {
  const bytes = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '%' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) { bytes.push(parseInt(raw.slice(i + 1, i + 3), 16)); i += 2; } else if (raw[i] === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(raw[i]));
  }
  try { return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bytes)); } catch { return null; }
}

// ---------------------------------------------------------------- base requests

/**
 * The valid base request of an operation:
 * {face, method, template, path, query:[[name, raw]], headers:{}, body, bodyType,
 *  bodySchema, bodyRequired, security:'open'|'user'|'admin'|'qiniu'|'session', params:[...]}.
 * fixtures(face, param) may give a value (a string) for a parameter.
 */
export function baseRequest(face, op, fixtures) {
  const doc = openapiDoc(face);
  const params = [...(op.pathItem.parameters || []), ...(op.operation.parameters || [])].map((p) => deref(doc, p));
  const req = { face, method: op.method, template: op.template, op: op.operation, query: [], headers: {}, pathParams: {}, params };
  for (const p of params) {
    const documented = p.example ?? deref(doc, p.schema || {}).default;
    if (!p.required && documented === undefined) continue;
    const example = fixtures(face, p) ?? documented;
    if (example === undefined) throw new Error(`${face} ${op.method} ${op.template}: parameter ${p.name} needs an example`);
    const values = Array.isArray(example) ? example.map(String) : [String(example)];
    if (p.in === 'query') for (const v of values) req.query.push([p.name, encodeURIComponent(v)]);
    else if (p.in === 'header') req.headers[p.name] = values[0];
    else if (p.in === 'path') req.pathParams[p.name] = encodeURIComponent(values[0]);
  }
  const rb = op.operation.requestBody && deref(doc, op.operation.requestBody);
  if (rb) {
    const [type, media] = Object.entries(rb.content)[0];
    req.bodyType = type;
    req.bodySchema = media.schema;
    req.bodyRequired = !!rb.required;
    req.body = media.example;
    if (req.body === undefined) throw new Error(`${face} ${op.method} ${op.template}: the request body needs an example`);
    const errs = type === 'application/json' ? schemaErrors(face, media.schema, req.body) : null;
    if (errs) throw new Error(`${face} ${op.method} ${op.template}: the example body does not match its schema: ${JSON.stringify(errs)}`);
  }
  const sec = op.operation.security ?? doc.security ?? [];
  const names = sec.flatMap((s) => Object.entries(s));
  req.security = !names.length ? 'open'
    : names.some(([n]) => n === 'accessToken') ? (names.some(([, roles]) => roles.includes('admin')) ? 'admin' : 'user')
      : names.some(([n]) => n === 'appId') ? 'open'
        : names[0][0];
  return req;
}

/** The request target of a request spec. */
export function target(req) {
  let p = req.template.replace(/\{([^}]+)\}/g, (_, n) => req.pathParams[n]);
  if (req.query.length) p += '?' + req.query.map(([k, v]) => `${k}=${v}`).join('&');
  return p;
}

// ---------------------------------------------------------------- candidates

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
/** Stands, in a value, for a JSON value written as raw bytes (see withRaw). */
const RAW = '\uE000raw\uE000';

/** The body's JSON text with the value RAW replaced by raw.bytes (bytes that JSON.stringify cannot make). */
function withRaw(value, raw) {
  const text = Buffer.from(JSON.stringify(value));
  const ph = Buffer.from(JSON.stringify(RAW));
  const at = text.indexOf(ph);
  if (at < 0) throw new Error('the raw placeholder is lost');
  return Buffer.concat([text.subarray(0, at), raw.bytes, text.subarray(at + ph.length)]);
}

function setAt(obj, loc, value) {
  if (!loc.length) return value;
  let o = obj;
  for (const k of loc.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[loc.at(-1)]; else o[loc.at(-1)] = value;
  return obj;
}
const getAt = (obj, loc) => loc.reduce((o, k) => o?.[k], obj);

/**
 * The places of a JSON body worth changing: each property of the top object
 * and, two levels down, of the first item of its arrays (and of a top-level
 * array's first item): [{loc, schema (flat), present}].
 */
function places(doc, schema, body) {
  const out = [];
  const visit = (flat, value, loc, depth) => {
    if (depth > 2) return;
    if (Array.isArray(value)) {
      if (!flat.items || !value.length) return;
      const fi = flatten(doc, flat.items);
      out.push({ loc: [...loc, 0], schema: fi, present: true });
      visit(fi, value[0], [...loc, 0], depth + 1);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const k of Object.keys(flat.props)) {
      const f = flatten(doc, flat.props[k]);
      out.push({ loc: [...loc, k], schema: f, present: k in value });
      if (k in value) visit(f, value[k], [...loc, k], depth + 1);
    }
  };
  visit(flatten(doc, schema), body, [], 0);
  return out;
}

const WRONG_TYPES = ['1', 1, 1.5, true, false, null, [], {}, [1], { a: 1 }];
/** http.max_body's default: bigger bodies are answered 413 before they are parsed. */
const MAX_BODY = 1048576;
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The bad-input cases of one operation:
 * [{cls, label, req (a request spec to send), expect}], where expect is
 * {kind:'invalid'|'perItem'|'auth'|'status'|'reject4xx'|'documented'|'sameAsBase', ...}.
 * creds: {face -> variants} from the caller: [{label, change(req), expect}].
 */
export function casesFor(face, op, fixtures, creds) {
  const doc = openapiDoc(face);
  const base = baseRequest(face, op, fixtures);
  const cases = [];
  const add = (cls, label, change, expect = { kind: 'invalid' }) => {
    const req = { ...base, query: base.query.map((q) => [...q]), headers: { ...base.headers }, pathParams: { ...base.pathParams }, body: clone(base.body) };
    change(req);
    cases.push({ cls, label: `${op.method} ${op.template}: ${label}`, req, expect });
  };
  const isJson = base.bodyType === 'application/json';
  // A body that the query would override is read only without those query arguments.
  const dropOptionalQuery = (r) => { r.query = r.query.filter(([n]) => base.params.find((p) => p.name === n && p.in === 'query')?.required); };

  // ---- JSON bodies
  if (isJson) {
    const invalid = (value) => !!schemaErrors(face, base.bodySchema, value);
    // Refused as a whole, unless only items of a per-item batch break their rules. jansson
    // refuses "\u0000" anywhere in a body, and raw bytes make no JSON at all.
    const whole = (value) => JSON.stringify(value).includes('\\u0000') || !!schemaErrors(face, base.bodySchema, value, true);
    // raw: {bytes, malformed, as}: the value RAW written as these bytes; when they still make
    // JSON, the case is judged as the value `as` (a number written 1E2 is a real to the faces).
    const bodyCase = (cls, label, value, raw) => {
      const body = raw ? withRaw(value, raw) : value;
      const judged = !raw ? value : raw.malformed ? undefined : JSON.parse(JSON.stringify(value).replace(JSON.stringify(RAW), JSON.stringify(raw.as)));
      const size = raw ? body.length : Buffer.byteLength(JSON.stringify(value));
      const expect = size > MAX_BODY ? { kind: 'status', status: 413 }
        : judged === undefined || whole(judged) ? { kind: 'invalid' } : { kind: 'perItem' };
      add(cls, label, (r) => { dropOptionalQuery(r); r.body = body; }, expect);
    };
    const rawBody = (cls, label, text) => add(cls, label, (r) => { dropOptionalQuery(r); r.body = Buffer.from(text); });

    for (const t of ['', ' ', '{', '{"a":}', "{'a':1}", '{"a":1,}', '[1,2', 'nul', '{"a":1}x', '{"a" 1}', '\ufeff{}'])
      rawBody('malformed', `body ${JSON.stringify(t)}`, t);
    for (const v of [[], {}, 'x', 1, true, null]) if (invalid(v)) bodyCase('toplevel', `body ${JSON.stringify(v)}`, v);

    for (const pl of places(doc, base.bodySchema, base.body)) {
      const cur = getAt(base.body, pl.loc);
      const name = pl.loc.join('.');
      const put = (cls, label, value, raw) => {
        const b = setAt(clone(base.body), pl.loc, raw ? RAW : value);
        if (raw || invalid(b)) bodyCase(cls, `${name} ${label}`, b, raw);
      };
      for (const v of WRONG_TYPES) put('types', `= ${JSON.stringify(v)}`, v);
      if (pl.present) {
        const b = setAt(clone(base.body), pl.loc, undefined);
        if (invalid(b)) bodyCase('missing', `${name} left out`, b);
      }
      const s = pl.schema;
      const text = typeof cur === 'string' && cur ? cur : 'a';
      if (s.types.has('string') || s.types.size === 0) {
        put('empty', '= ""', '');
        if (s.maxLength !== undefined) put('overlong', `of ${s.maxLength + 1} characters`, text.padEnd(s.maxLength + 1, text.at(-1)));
        put('overlong', 'of 65536 characters', 'a'.repeat(65536));
        put('nul', '= "a\\u0000b"', 'a\u0000b');
        put('nul', 'with a raw NUL byte', null, { bytes: Buffer.from('"a\u0000b"'), malformed: true });
        for (const c of ['\u0001', '\u001b', '\u007f', '\n']) put('control', `= "a${JSON.stringify(c).slice(1, -1)}b"`, `a${c}b`);
        put('control', 'with a raw control byte', null, { bytes: Buffer.from('"a\u0001b"'), malformed: true });
        for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]])
          put('utf8', `with bytes ${Buffer.from(bad).toString('hex')}`, null, { bytes: Buffer.concat([Buffer.from('"a'), Buffer.from(bad), Buffer.from('b"')]), malformed: true });
      }
      if (s.types.has('integer') || s.types.has('number')) {
        if (s.min !== undefined && Number.isSafeInteger(s.min - 1)) put('numbers', `= ${s.min - 1} (below the minimum)`, s.min - 1);
        if (s.max !== undefined) {
          const above = BigInt(s.max) + 1n;
          put('numbers', `= ${above} (above the maximum)`, null, { bytes: Buffer.from(String(above)), malformed: above > INT64_MAX, as: Number(above) });
        }
        // jansson reads 1e400 and integers beyond 64 bits as no JSON at all; 1E2 and 2.0 are reals.
        for (const [n, malformed, as] of [['1.5', false, 1.5], ['-0.5', false, -0.5], ['1E2', false, 100.5], ['2.0', false, 2.5], ['1e400', true], ['9223372036854775808', true], ['-9223372036854775809', true]])
          if (!s.types.has('number')) put('numbers', `= ${n}`, null, { bytes: Buffer.from(n), malformed, as });
      }
      if (Array.isArray(cur)) {
        const huge = (n) => setAt(clone(base.body), pl.loc, Array(n).fill(cur[0] ?? 1));
        if (s.maxItems !== undefined && invalid(huge(s.maxItems + 1))) bodyCase('arrays', `${name} with ${s.maxItems + 1} items`, huge(s.maxItems + 1));
        if (invalid(huge(100000))) bodyCase('arrays', `${name} with 100000 items`, huge(100000));
      }
    }
    // a top-level array body
    if (Array.isArray(base.body)) {
      const flat = flatten(doc, base.bodySchema);
      const huge = (n) => Array(n).fill(base.body[0]);
      if (flat.maxItems !== undefined && invalid(huge(flat.maxItems + 1))) bodyCase('arrays', `body with ${flat.maxItems + 1} items`, huge(flat.maxItems + 1));
      if (invalid(huge(100000))) bodyCase('arrays', 'body with 100000 items', huge(100000));
    }
    rawBody('nesting', 'body [[[... 100000 deep', '['.repeat(100000) + ']'.repeat(100000));
    rawBody('nesting', 'body {"a":{"a":... 5000 deep', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
    const firstKey = base.body && typeof base.body === 'object' && !Array.isArray(base.body) ? Object.keys(base.body)[0] : null;
    if (firstKey) {
      const deep = setAt(clone(base.body), [firstKey], RAW);
      bodyCase('nesting', `${firstKey} nested 3000 deep`, deep, { bytes: Buffer.from('['.repeat(3000) + ']'.repeat(3000)), malformed: true });
      const text = JSON.stringify(base.body);
      const dupe = `{${JSON.stringify(firstKey)}:${JSON.stringify(base.body[firstKey])},${text.slice(1)}`;
      rawBody('duplicates', `"${firstKey}" twice`, dupe);
    }
    const item = Array.isArray(base.body) ? base.body[0] : null;
    if (item && typeof item === 'object') {
      const k = Object.keys(item)[0];
      const t = JSON.stringify(base.body);
      const inner = JSON.stringify(item);
      rawBody('duplicates', `"${k}" twice in the first item`, t.replace(inner, `{${JSON.stringify(k)}:${JSON.stringify(item[k])},${inner.slice(1)}`));
    }
    // The body of valid fields, sent as something that is not JSON.
    const form = base.body && typeof base.body === 'object' && !Array.isArray(base.body)
      ? Object.entries(base.body).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : v)}`).join('&')
      : 'user_ids=user-1';
    const multipart = `--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n${form}\r\n--b--\r\n`;
    for (const [label, ct, body] of [
      ['a form as application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', form],
      ['a form as multipart/form-data', 'multipart/form-data; boundary=b', multipart],
      ['a form as text/plain', 'text/plain', form],
      ['a form without Content-Type', null, form],
    ]) {
      add('ctype', label, (r) => { dropOptionalQuery(r); r.body = Buffer.from(body); r.contentType = ct; },
        // The live face signs the body only with a Content-Type: without one the body is not covered (401).
        face === 'live' && ct === null ? { kind: 'auth' } : { kind: 'invalid' });
    }
  }

  // ---- raw text bodies (the IM face's public/private)
  if (base.bodyType === 'text/plain') {
    const bad = (label, bytes) => add('utf8', label, (r) => { r.body = Buffer.from(bytes); });
    bad('body with byte ff', [0x61, 0xff]);
    bad('body with bytes c328', [0xc3, 0x28]);
    bad('body with bytes eda080', [0xed, 0xa0, 0x80]);
    add('nul', 'body with a NUL byte', (r) => { r.body = Buffer.from('a\u0000b'); });
    for (const c of ['\u0001', '\u001b', '\u007f']) add('control', `body with ${JSON.stringify(c)}`, (r) => { r.body = Buffer.from(`a${c}b`); });
    const max = flatten(doc, base.bodySchema).maxLength;
    if (max !== undefined) add('overlong', `body of ${max + 1} characters`, (r) => { r.body = Buffer.from('a'.repeat(max + 1)); });
  }

  // ---- query, header and path parameters
  for (const p of base.params) {
    if (p.in === 'cookie') continue;
    const schema = p.schema || {};
    const flat = flatten(doc, schema);
    const present = p.in === 'query' ? base.query.some(([n]) => n === p.name) : p.in === 'header' ? p.name in base.headers : true;
    if (!present) continue;
    const set = (r, raw) => {
      if (p.in === 'query') { r.query = r.query.filter(([n]) => n !== p.name); if (raw !== undefined) r.query.push([p.name, raw]); }
      else if (p.in === 'header') { if (raw === undefined) delete r.headers[p.name]; else r.headers[p.name] = raw; }
      else r.pathParams[p.name] = raw;
    };
    const where = `${p.in} ${p.name}`;
    const isArray = flat.types.has('array');
    if (p.in === 'path') {
      for (const raw of ['-1', '0', '99999999999999999999999', 'abc', 'a'.repeat(65), '..', '%2e%2e', '%00', '%ff', '%01'])
        add('pathids', `${where} = ${raw}`, (r) => set(r, raw), paramValid(face, schema, decodeRaw(raw)) ? { kind: 'documented' } : { kind: 'reject4xx' });
      continue;
    }
    if (p.required) add('missing', `${where} left out`, (r) => set(r, undefined));
    if (isArray) {
      const max = flat.maxItems;
      const first = base.query.find(([n]) => n === p.name)?.[1] ?? 'x';
      if (max !== undefined) add('arrays', `${where} given ${max + 1} times`, (r) => { set(r, undefined); for (let i = 0; i <= max; i++) r.query.push([p.name, first]); });
      continue;
    }
    // raw: percent-encoded; a header gets the bytes themselves (node sends header values as latin1).
    const cand = (cls, label, raw) => {
      const decoded = decodeRaw(raw);
      const seen = p.in === 'header' && decoded !== null ? decoded.trim() : decoded; // header values lose surrounding blanks
      if (paramValid(face, schema, seen)) return;
      const value = p.in === 'header' ? raw.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))) : raw;
      add(cls, `${where} = ${label}`, (r) => set(r, value));
    };
    // Header values cannot carry NUL or control bytes through node's client: those go in the query and body only.
    cand('empty', '""', '');
    if (flat.maxLength !== undefined) cand('overlong', `${flat.maxLength + 1} characters`, 'a'.repeat(flat.maxLength + 1));
    if (flat.constrained || flat.types.has('integer')) cand('utf8', '%FF', p.in === 'header' ? '%FF' : 'a%FF');
    if (p.in !== 'header') {
      cand('nul', 'a%00b', flat.types.has('integer') ? '1%002' : 'a%00b');
      cand('control', 'a%01b', flat.types.has('integer') ? '1%01' : 'a%01b');
      cand('control', '%7F', '%7F');
    }
    if (flat.types.has('integer')) {
      if (flat.min !== undefined) cand('numbers', `${flat.min - 1}`, String(BigInt(flat.min) - 1n));
      if (flat.max !== undefined) cand('numbers', `${BigInt(flat.max) + 1n}`, String(BigInt(flat.max) + 1n));
      for (const raw of ['1.5', '1e3', '0x10', '%2B1', '%201', '1%20', '99999999999999999999', '-99999999999999999999', 'abc'])
        cand('numbers', raw, raw);
    }
  }

  // ---- bodies on GET: the same answer as without a body. Not for an operation
  // whose success ends the caller's own credential (x-userd-ends-credential,
  // e.g. GET /user/del): its answer without a body would end the fixtures.
  if (op.method === 'GET' && !op.operation['x-userd-ends-credential']) {
    for (const [label, body] of [['a JSON object body', '{"user_ids":["x"],"a":1}'], ['a malformed body', '{'], ['a 64 KiB body', 'a'.repeat(65536)]])
      add('getbody', label, (r) => { r.body = Buffer.from(body); r.contentType = 'application/json'; }, { kind: 'sameAsBase' });
  }

  // ---- credentials
  for (const c of creds(face, base)) add('creds', c.label, c.change, c.expect);

  // ---- oversize body and headers (refused before routing)
  add('bigbody', 'a body of http.max_body + 1 bytes', (r) => { r.body = Buffer.alloc(1048577, 0x61); r.contentType = 'application/json'; r.unsigned = true; }, { kind: 'status', status: 413 });
  add('bigheaders', 'a 40000-byte header', (r) => { r.headers['X-Pad'] = 'a'.repeat(40000); r.unsigned = true; }, { kind: 'status', status: 431, mhd: true });
  add('bigheaders', '2000 headers', (r) => { for (let i = 0; i < 2000; i++) r.headers[`X-H${i}`] = 'v'; r.unsigned = true; }, { kind: 'status', status: 431, mhd: true });

  return { base, cases };
}

/** Every operation of a face but the HTTP layer's /healthz. */
export const routeOperations = (face) => operations(face).filter((o) => o.template !== '/healthz');
