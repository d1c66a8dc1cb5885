// Runs the editor's file formats (generator/staff/admin/fivestar-format.mjs) for tests/test_cms.py as the editor
// runs them: reads {config, jobs} as JSON on stdin, prints a JSON list of results. A job is {format, text} (read,
// then write back), or {format, text, edit: {key: value, …}} (read, set keys as a form would, write back), or
// {format, value} (a new file from a form value). `null` in an edit clears the field as a form does (an empty
// input). What Sveltia CMS 0.221 does around a custom format is done here too: it trims the file's text before
// `fromFile` and writes `toFile`'s text trimmed with one newline after it; and a form opened on a file fills in
// each field's `default` where the file has no value (defaultsOf, from the configuration).
import { defaultsOf, fromFile, pageFromFile, pageToFile, toFile } from '../generator/staff/admin/fivestar-format.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { config, jobs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const defaults = defaultsOf(config || {});
const read = (text) => text.trim().replace(/\r\n?/g, '\n');
const written = (text) => `${text.trim()}\n`;
const results = jobs.map((job) => {
  try {
    const page = job.format === 'fivestar-page-frontmatter';
    const own = defaults[job.format] || {};
    const write = (form) => written(page ? pageToFile(form) : toFile(job.format, form, own));
    if (job.value) return { text: write(job.value) };
    const value = page ? pageFromFile(read(job.text)) : fromFile(job.format, read(job.text));
    for (const [key, item] of Object.entries(own)) if (!(key in value)) value[key] = item;
    for (const [key, item] of Object.entries(job.edit || {})) value[key] = item === null ? '' : item;
    // What the editor adds to every form: empty optional inputs and unticked boxes.
    for (const key of job.blank || []) if (!(key in value)) value[key] = '';
    for (const key of job.unticked || []) if (!(key in value)) value[key] = false;
    const form = JSON.parse(JSON.stringify(value));
    return { form, text: write(form) };
  } catch (error) {
    return { error: String(error && error.message || error) };
  }
});
process.stdout.write(JSON.stringify(results));
