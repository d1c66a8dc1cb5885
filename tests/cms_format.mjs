// Runs the editor's file formats (generator/staff/admin/fivestar-format.mjs) for tests/test_cms.py: reads a JSON
// list of jobs on stdin, prints a JSON list of results. A job is {format, text} (read, then write back), or
// {format, text, edit: {key: value, …}} (read, set keys as a form would, write back), or {format, value} (a new
// file from a form value). `null` in an edit clears the field as a form does (an empty input).
import { fromFile, pageFromFile, pageToFile, toFile } from '../generator/staff/admin/fivestar-format.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = jobs.map((job) => {
  try {
    const page = job.format === 'fivestar-page-frontmatter';
    if (job.value) return { text: page ? pageToFile(job.value) : toFile(job.format, job.value) };
    const value = page ? pageFromFile(job.text) : fromFile(job.format, job.text);
    for (const [key, item] of Object.entries(job.edit || {})) value[key] = item === null ? '' : item;
    // What the editor adds to every form: empty optional inputs and unticked boxes.
    for (const key of job.blank || []) if (!(key in value)) value[key] = '';
    for (const key of job.unticked || []) if (!(key in value)) value[key] = false;
    const form = JSON.parse(JSON.stringify(value));
    return { form, text: page ? pageToFile(form) : toFile(job.format, form) };
  } catch (error) {
    return { error: String(error && error.message || error) };
  }
});
process.stdout.write(JSON.stringify(results));
