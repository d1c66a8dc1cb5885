// Runs mkdocs-material's own search worker (the installed, bundled one) in Node, for tests/material_search.py.
// usage: node material_search.js WORKER_JS INDEX_JSON < queries.json > results.json
// Each result: {kept: the query terms material searched for (after its Chinese segmentation), results: [[location,
// score], …] best first, one per page}. The worker is loaded as a browser would load it: importScripts for the
// lunr language files, messages in (SETUP, then QUERY) and out (READY, RESULT).
"use strict"
const fs = require("fs")
const path = require("path")
const vm = require("vm")

const [worker, indexPath] = process.argv.slice(2)
const context = { console, setTimeout, clearTimeout, URL, TextEncoder, TextDecoder }
let listener = null
let reply = null
context.self = context
context.addEventListener = (type, fn) => { if (type === "message") listener = fn }
context.postMessage = message => { reply = message }
context.importScripts = (...urls) => {
  for (const url of urls)
    vm.runInContext(fs.readFileSync(path.resolve(path.dirname(worker), url), "utf8"), context)
}
vm.createContext(context)
vm.runInContext(fs.readFileSync(worker, "utf8"), context)

async function send(message) {
  reply = null
  await listener({ data: message })
  while (reply === null) await new Promise(resolve => setTimeout(resolve, 0))
  return reply
}

(async () => {
  const index = JSON.parse(fs.readFileSync(indexPath, "utf8"))
  await send({ type: 0, data: { ...index, options: { suggest: false } } })  // SETUP
  const out = []
  for (const query of JSON.parse(fs.readFileSync(0, "utf8"))) {
    const { data } = await send({ type: 2, data: query })  // QUERY
    out.push({
      kept: data.items.length ? Object.keys(data.items[0][0].terms).map(term => term.replace(/\*+$/, "")) : [],
      results: data.items.map(group => [group[0].location, group[0].score])
    })
  }
  process.stdout.write(JSON.stringify(out))
})()
