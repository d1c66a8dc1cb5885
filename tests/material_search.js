// Runs mkdocs-material's own search worker (the installed, bundled one) in Node, for tests/material_search.py.
// usage: node material_search.js WORKER_JS INDEX_JSON < queries.json > results.json
// Each result: {kept: the query terms material searched for (after its Chinese segmentation), results: [[location,
// score], …] best first, one per page, fetched: the bytes of index files the query fetched}. The worker is loaded
// as a browser would load it: importScripts for the lunr language files, messages in (SETUP, then QUERY) and out
// (READY, RESULT). A light index (search_index.json whose config has `light`, generator/site/search_light.py) is
// searched as the site's pages search it: through the site's own light-search.js worker, which loads material's
// inside itself and fetches the index files a query needs (read here from the site's folder).
"use strict"
const fs = require("fs")
const path = require("path")
const vm = require("vm")
const { pathToFileURL, fileURLToPath } = require("url")

const [worker, indexPath] = process.argv.slice(2)
const index = JSON.parse(fs.readFileSync(indexPath, "utf8"))
const site = path.dirname(path.dirname(path.resolve(indexPath)))
const script = index.config.light ? path.join(site, "assets", "javascripts", "workers", "light-search.js") : worker
let fetched = 0
const context = { console, setTimeout, clearTimeout, URL, TextEncoder, TextDecoder, Promise }
let listener = null
let reply = null
context.self = context
context.location = { href: `${pathToFileURL(script)}?material=${encodeURIComponent(worker)}` }
context.addEventListener = (type, fn) => { if (type === "message") listener = fn }
context.postMessage = message => { reply = message }
context.importScripts = (...urls) => {
  for (const url of urls)
    vm.runInContext(fs.readFileSync(path.resolve(path.dirname(worker), url), "utf8"), context)
}
context.fetch = async url => {
  const file = fileURLToPath(url)
  if (!fs.existsSync(file)) return { ok: false, status: 404 }
  const text = fs.readFileSync(file, "utf8")
  fetched += Buffer.byteLength(text)
  return { ok: true, status: 200, json: async () => JSON.parse(text) }
}
vm.createContext(context)
vm.runInContext(fs.readFileSync(script, "utf8"), context)

async function send(message) {
  reply = null
  await listener({ data: message })
  while (reply === null) await new Promise(resolve => setTimeout(resolve, 0))
  return reply
}

(async () => {
  await send({ type: 0, data: { config: index.config, docs: index.docs, options: { suggest: false } } })  // SETUP, as
  // material's page script sends it
  const out = []
  for (const query of JSON.parse(fs.readFileSync(0, "utf8"))) {
    const before = fetched
    const { data } = await send({ type: 2, data: query })  // QUERY
    out.push({
      kept: data.items.length ? Object.keys(data.items[0][0].terms).map(term => term.replace(/\*+$/, "")) : [],
      results: data.items.map(group => [group[0].location, group[0].score]),
      fetched: fetched - before
    })
  }
  process.stdout.write(JSON.stringify(out))
})()
