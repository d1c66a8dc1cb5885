// The editor's file formats: how a record file becomes a form's value, and how a saved form becomes the file again.
//
// One format per kind of file (fivestar-site, fivestar-branch, fivestar-honour, fivestar-event, fivestar-page).
// Reading translates what the forms cannot hold as written (a bare branch id as a recipient, `{brand: id}`,
// `stars` as a number or names) and keeps the file's text in the hidden key `_source`. Writing puts back only
// what the form changed: every top-level key whose value is unchanged keeps its exact text, comments and quoting;
// a changed key is rewritten on its old node, so the comments inside it stay too; a new key goes after the key
// before it in the form's order; the schema line (`# yaml-language-server: …`) and the file's opening comments are
// kept, and a new file gets the schema line. So `fivestar diff` shows what the person changed and nothing else.
//
// Pure functions, no browser API: tests/test_cms.py runs them in Node over every data file (read then written
// back must give the same bytes) and over generated edits.

import { Document, isMap, isScalar, isSeq, parseDocument } from './vendor/yaml.mjs';

export const SOURCE = '_source';
const STRINGIFY = { lineWidth: 0, indentSeq: true };

// `fivestar check` reads YAML 1.1 (PyYAML): `yes`, `on`, `0123`, `1:30` are not text there. Files are read and
// written with the 1.1 rules, so text that looks like one of those is quoted; dates stay text here, as the forms
// hold them (a plain 2023-06-02 is still a date for check, which is what the records mean by it).
const YAML_OPTIONS = {
  version: '1.1',
  customTags: (tags) => tags.filter((tag) => tag.tag !== 'tag:yaml.org,2002:timestamp'),
};
const parseYaml = (text) => parseDocument(text, YAML_OPTIONS);
const newDocument = (value) => new Document(value, YAML_OPTIONS);

// -- values --------------------------------------------------------------------------------------------------------

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A form value without what the forms add but the files leave out: empty text, empty lists and objects, unset
 * numbers, and `false` (every yes/no field of the records defaults to no). */
export const clean = (value) => {
  if (Array.isArray(value)) {
    return value.map(clean).filter((item) => !isEmpty(item));
  }
  if (isObject(value)) {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === SOURCE) continue;
      const kept = clean(item);
      if (!isEmpty(kept) && kept !== false) out[key] = kept;
    }
    return out;
  }
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value;
};

const isEmpty = (value) =>
  value === undefined || value === null || value === '' || (typeof value === 'number' && Number.isNaN(value)) ||
  (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const IMAGE_KEYS = new Set(['file', 'logo', 'conac_image']);

/** WORKAROUND (Sveltia CMS 0.221): an uploaded image's path comes back as `/images/photos/x.jpg` whatever the
 * field's `public_folder` says; the records hold paths relative to data/ (`images/photos/x.jpg`), and check
 * refuses absolute ones. */
const relativeImages = (value) => {
  if (Array.isArray(value)) return value.map(relativeImages);
  if (!isObject(value)) return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = IMAGE_KEYS.has(key) && typeof item === 'string' && item.startsWith('/images/')
      ? item.slice(1) : relativeImages(item);
  }
  return out;
};

// -- what each kind of file holds that a form cannot ---------------------------------------------------------------

/** A recipient as the form holds it: always an object with `branch`; `brand: true` when the brand holds it. */
const recipientToForm = (item) => {
  if (typeof item === 'string') return { branch: item };
  if (isObject(item) && typeof item.brand === 'string') {
    const { brand, ...rest } = item;
    return { branch: brand, ...rest, brand: true };
  }
  return item;
};

/** A recipient as the file writes it: a bare id when nothing else is said; `{brand: id, …}` for a brand. */
const recipientToFile = (item) => {
  if (!isObject(item)) return item;
  const { branch, brand, ...rest } = item;
  if (brand === true) return { brand: branch, ...rest };
  if (Object.keys(rest).length === 0 && typeof branch === 'string') return branch;
  return { branch, ...rest };
};

const KINDS = {
  'fivestar-site': {
    toForm: (data) => {
      const { stars, ...rest } = data;
      if (typeof stars === 'number') return { ...rest, stars_count: stars };
      if (Array.isArray(stars)) return { ...rest, stars_names: stars };
      return data;
    },
    toFile: (data) => {
      const { stars_count: count, stars_names: names, ...rest } = data;
      const stars = names && names.length ? names : count;
      if (stars === undefined) return rest;
      // `stars` sits where the form shows it: after branch_count, before campaign.
      const out = {};
      let placed = false;
      for (const [key, value] of Object.entries(rest)) {
        if (!placed && key === 'campaign') { out.stars = stars; placed = true; }
        out[key] = value;
      }
      if (!placed) out.stars = stars;
      return out;
    },
    depth: () => 1,
    schema: 'site',
  },
  'fivestar-branch': { toForm: (data) => data, toFile: (data) => data, depth: () => 2, schema: 'branch' },
  'fivestar-event': { toForm: (data) => data, toFile: (data) => data, depth: () => 2, schema: 'event' },
  'fivestar-honour': {
    toForm: (data) => (Array.isArray(data.recipients)
      ? { ...data, recipients: data.recipients.map(recipientToForm) } : data),
    toFile: (data) => (Array.isArray(data.recipients)
      ? { ...data, recipients: data.recipients.map(recipientToFile) } : data),
    // A list of a year sits in its year's folder (the collection's path is {{fields.year}}/{{slug}}).
    depth: () => 3,
    schema: 'honour',
  },
};
// Lists without a year (running rolls) sit in data/honours/ itself.
KINDS['fivestar-honour-root'] = { ...KINDS['fivestar-honour'], depth: () => 2 };

const modeline = (kind, data) =>
  `# yaml-language-server: $schema=${'../'.repeat(kind.depth(data))}schema/${kind.schema}.schema.json`;

// -- reading -------------------------------------------------------------------------------------------------------

const parse = (text) => {
  const doc = parseYaml(text);
  if (doc.errors.length) throw new Error(`无法读取这个文件（YAML 格式有误）：${doc.errors[0].message}`);
  const data = doc.toJS();
  return isObject(data) ? data : {};
};

export const fromFile = (format, text) => {
  const kind = KINDS[format];
  return { ...kind.toForm(parse(text)), [SOURCE]: text };
};

// -- writing -------------------------------------------------------------------------------------------------------

/** A new file: the schema line, then the keys in the form's order. */
const fresh = (kind, data) => {
  const body = Object.keys(data).length ? newDocument(data).toString(STRINGIFY) : '';
  return `${modeline(kind, data)}\n${body}`;
};

/** Where each top-level key's text starts and ends, with the comment lines just above it; and the file's head
 * (its opening comments) before the first key. Null when the text is not a plain mapping. */
const spans = (text) => {
  const doc = parseYaml(text);
  if (doc.errors.length || !isMap(doc.contents)) return null;
  const lineStart = (offset) => text.lastIndexOf('\n', offset - 1) + 1;
  const starts = doc.contents.items.map((pair) => {
    let start = lineStart(pair.key.range[0]);
    // Comment and blank lines right above a key belong to it, not to the key before.
    for (;;) {
      if (start === 0) break;
      const previous = lineStart(start - 1);
      const line = text.slice(previous, start - 1);
      if (line.startsWith('#') || line.trim() === '') start = previous; else break;
    }
    return { key: String(pair.key.value), start, keyStart: lineStart(pair.key.range[0]) };
  });
  if (!starts.length) return null;
  // The head ends where the first key's own comment block would start: keep the file's opening comments (the
  // schema line and what follows it up to the first blank line) as the head, however the keys change.
  const head = text.slice(0, starts[0].keyStart);
  starts[0].start = starts[0].keyStart;
  const parts = starts.map((part, index) => ({
    ...part,
    end: index + 1 < starts.length ? starts[index + 1].start : text.length,
  }));
  return { doc, head, parts };
};

/** A changed value written on its old node, so that comments and quoting inside it stay where they can. */
const mergeNode = (doc, node, value) => {
  if (isMap(node) && isObject(value)) {
    const old = node.toJSON();
    for (const pair of [...node.items]) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (!(key in value)) node.delete(pair.key);
    }
    for (const [key, item] of Object.entries(value)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) node.set(key, doc.createNode(item));
      else if (!same(clean(old[key]), item)) pair.value = mergeNode(doc, pair.value, item);
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    const old = node.toJSON();
    value.forEach((item, index) => {
      if (index >= node.items.length) node.items.push(doc.createNode(item));
      else if (!same(clean(old[index]), item)) node.items[index] = mergeNode(doc, node.items[index], item);
    });
    node.items.length = value.length;
    return node;
  }
  if (isScalar(node) && !isObject(value) && !Array.isArray(value)) {
    node.value = value;
    return node;
  }
  const made = doc.createNode(value);
  if (node && node.comment) made.comment = node.comment;
  return made;
};

/** One top-level key written again: its old text merged with the new value, or written fresh. */
const rewrite = (oldText, key, value) => {
  if (oldText === null) return newDocument({ [key]: value }).toString(STRINGIFY);
  const doc = parseYaml(oldText);
  if (doc.errors.length || !isMap(doc.contents) || doc.contents.items.length !== 1) {
    return newDocument({ [key]: value }).toString(STRINGIFY);
  }
  const pair = doc.contents.items[0];
  pair.value = mergeNode(doc, pair.value, value);
  return doc.toString(STRINGIFY);
};

/** The text a file was read from, ending in a newline. WORKAROUND (Sveltia CMS 0.221): the editor trims a file's
 * text before `fromFile` (and trims what `toFile` gives, adding one newline), so the last key's text has lost its
 * newline; a key written after it would otherwise run on in the same line. */
const sourceOf = (value) => {
  const text = typeof value[SOURCE] === 'string' ? value[SOURCE] : null;
  return text === null || text === '' || text.endsWith('\n') ? text : `${text}\n`;
};

/** A form's value without the defaults the editor filled in (a select's `default`) where the file has no value:
 * an absent key already means its default, so `fivestar diff` shows nothing the person did not change. */
const withoutFilledDefaults = (data, defaults, oldValues) => {
  const out = { ...data };
  for (const [key, item] of Object.entries(defaults)) {
    if (same(out[key], item) && (oldValues === null || !(key in oldValues))) delete out[key];
  }
  return out;
};

export const toFile = (format, value, defaults = {}) => {
  const kind = KINDS[format];
  const source = sourceOf(value);
  const layout = source === null ? null : spans(source);
  const oldValues = layout === null ? null : parse(source);
  const data = kind.toFile(withoutFilledDefaults(relativeImages(clean(value)), defaults, oldValues));
  if (layout === null) return fresh(kind, data);
  const before = kind.toFile(clean(kind.toForm(parse(source))));
  let out = layout.head;
  const written = new Set();
  const keys = Object.keys(data);
  const pending = keys.filter((key) => !layout.parts.some((part) => part.key === key));
  const insertAfter = (key) => {
    // New keys that come right after `key` in the form's order.
    let text = '';
    const at = keys.indexOf(key);
    for (let index = at + 1; index < keys.length; index += 1) {
      const next = keys[index];
      if (!pending.includes(next)) break;
      text += rewrite(null, next, data[next]);
      written.add(next);
    }
    return text;
  };
  // New keys that come before every kept key go first.
  const firstKept = keys.find((key) => !pending.includes(key));
  for (const key of keys) {
    if (key === firstKept) break;
    out += rewrite(null, key, data[key]);
    written.add(key);
  }
  for (const part of layout.parts) {
    const text = source.slice(part.start, part.end);
    if (!(part.key in data)) {
      // A key that the form left empty: keep it when the file wrote it empty or as `false` on purpose. A key
      // cleared in the form goes, but the comments above it stay: they may be about anything, and are not
      // the form's to drop.
      if (oldValues[part.key] === false || isEmpty(oldValues[part.key])) out += text;
      else out += source.slice(part.start, part.keyStart);
      continue;
    }
    if (same(before[part.key], data[part.key])) {
      out += text;
    } else {
      const comments = source.slice(part.start, part.keyStart);
      const trailing = text.endsWith('\n') ? '' : '\n';
      out += comments + rewrite(source.slice(part.keyStart, part.end) + trailing, part.key, data[part.key]);
    }
    if (!written.has(part.key)) out += insertAfter(part.key);
  }
  for (const key of pending) if (!written.has(key)) out += rewrite(null, key, data[key]);
  return out;
};

// -- pages (news posts): front matter and the text under it --------------------------------------------------------

const FRONT = /^---\r?\n([\s\S]*?\r?\n)?---\r?\n?/;

export const pageFromFile = (text) => {
  const match = FRONT.exec(text);
  if (!match) return { body: text, [SOURCE]: text };
  const meta = match[1] ? parse(match[1]) : {};
  return { ...meta, body: text.slice(match[0].length), [SOURCE]: text };
};

export const pageToFile = (value) => {
  const source = typeof value[SOURCE] === 'string' ? value[SOURCE] : null;
  const { body = '', ...meta } = clean(value);
  const match = source === null ? null : FRONT.exec(source);
  let front;
  if (match) {
    const old = match[1] || '';
    front = spans(old) ? toFile('fivestar-plain', { ...meta, [SOURCE]: old })
      : (Object.keys(meta).length ? newDocument(meta).toString(STRINGIFY) : '');
  } else {
    front = Object.keys(meta).length ? newDocument(meta).toString(STRINGIFY) : '';
  }
  const text = source !== null && match ? body : `\n${body.replace(/^\n+/, '')}`;
  return `---\n${front}---\n${text.endsWith('\n') || !text ? text : `${text}\n`}`;
};

KINDS['fivestar-plain'] = { toForm: (data) => data, toFile: (data) => data, depth: () => 0, schema: '' };

export const FORMATS = ['fivestar-site', 'fivestar-branch', 'fivestar-honour', 'fivestar-honour-root',
  'fivestar-event'];

/** Each format's top-level field defaults in the editor's configuration (a `default: false` box needs none: an
 * unticked box is left out anyway). */
export const defaultsOf = (config) => {
  const out = {};
  for (const collection of config.collections || []) {
    for (const target of [collection, ...(collection.files || [])]) {
      if (!target.format || !target.fields) continue;
      const own = {};
      for (const field of target.fields) if ('default' in field && field.default !== false) own[field.name] = field.default;
      out[target.format] = own;
    }
  }
  return out;
};

/** Register every format with the editor (the page calls this before CMS.init, with the configuration). */
export const register = (cms, config = {}) => {
  const defaults = defaultsOf(config);
  for (const format of FORMATS) {
    cms.registerCustomFormat(format, 'yaml', {
      fromFile: (text) => fromFile(format, text),
      toFile: (value) => toFile(format, JSON.parse(JSON.stringify(value)), defaults[format] || {}),
    });
  }
  cms.registerCustomFormat('fivestar-page-frontmatter', 'md', {
    fromFile: pageFromFile,
    toFile: (value) => pageToFile(JSON.parse(JSON.stringify(value))),
  });
};
