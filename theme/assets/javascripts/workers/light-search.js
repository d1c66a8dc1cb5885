/*
 * Light search (issue 18): mkdocs-material's own search worker, fed only the pages a query needs.
 *
 * The site's search/search_index.json holds the engine's configuration with `light` in it
 * (generator/site/search_light.py), not the entries. This worker stands where material's worker stood
 * (theme/main.html points material's `__config.search` at it, naming material's worker in `?material=`), loads
 * material's worker inside itself and answers material's page script in its protocol (SETUP → READY, QUERY →
 * RESULT). For each query it:
 *  1. fetches the term files that hold the query's Han substrings and cuts the query as material would over the
 *     whole index (material's own `segment`, over the whole index's terms);
 *  2. fetches, for each query term, the term files (or, for a prefix that fills many, its prefix file) listing the
 *     best pages of every index term starting with it, and keeps the best `max_results` pages, those holding a
 *     whole part of the query (a run of a name) first;
 *  3. fetches those pages' entries and lets material's worker index them and search: material ranks (its fields
 *     and boosts; a term's rarity counted among those pages), highlights and groups as before; the pages holding
 *     the longest whole part of the query go first, and a page holding a whole word material's cut lost is listed
 *     first even though material missed it.
 * An entry made of the whole index's terms inside the query (never shown) keeps material's cut of the query the
 * same as over the whole index. Files are fetched once per page visit. An index without `light` goes to material
 * whole, as before. Queries are answered in the order they came.
 */
"use strict"
;(function () {
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
  var SEGMENTS = "\u0000segments"
  var HAN = /\p{sc=Han}+/gu
  var root = new URL("../../../search/", self.location.href)
  var listen = self.addEventListener.bind(self)
  var post = self.postMessage.bind(self)
  var engine = null
  var reply = null

  /* Material's worker registers its listener and replies through these; keep both for ourselves. */
  self.addEventListener = function (type, fn) {
    if (type === "message") engine = fn
    else listen(type, fn)
  }
  self.postMessage = function (message) { reply(message) }
  importScripts(new URL(self.location.href).searchParams.get("material"))

  /* Material's worker imports lunr's language files at every SETUP, and ours sends one a query: each file once. */
  var imported = new Set(), importOnce = self.importScripts
  self.importScripts = function () {
    var fresh = Array.prototype.filter.call(arguments, function (url) { return !imported.has(url) })
    fresh.forEach(function (url) { imported.add(url) })
    if (fresh.length) return importOnce.apply(self, fresh)
  }

  /* Workaround: lunr 2.3.9 (inside material's worker, exposed as self.lunr) keys the nodes it merges while building
     its token set by final flag, edge labels and child ids run together, so that an edge "0" to node 123 and edges
     "0" to node 1 and "2" to node 3 read alike (both "00123"); with digits in terms (示例小学00042) it merges nodes
     that differ, and a query then expands to a term the index lacks and fails ("reading '_index'"). The same key
     with a separator after each child id merges only equal nodes. */
  self.lunr.TokenSet.prototype.toString = function () {
    if (this._str) return this._str
    var str = this.final ? "1" : "0", labels = Object.keys(this.edges).sort()
    for (var i = 0; i < labels.length; i++) str += labels[i] + this.edges[labels[i]].id + ","
    return str
  }

  function ask(message) {
    return new Promise(function (resolve) {
      reply = resolve
      engine({ data: message })
    })
  }

  var whole = false, config = null, light = null, options = { suggest: false }
  var files = new Map()

  function load(path) {
    if (!files.has(path))
      files.set(path, fetch(new URL(path, root)).then(function (response) {
        if (!response.ok) throw new Error(path + ": " + response.status)
        return response.json()
      }))
    return files.get(path)
  }

  /* The last index i with list[i] <= value (0 when none): the file whose first key starts value's range. */
  function fileOf(list, value) {
    var lo = 0, hi = list.length
    while (lo < hi) {
      var mid = (lo + hi) >> 1
      if (list[mid] <= value) lo = mid + 1
      else hi = mid
    }
    return Math.max(0, lo - 1)
  }

  function termFile(number) {
    return load("terms/" + number + ".json").then(function (rows) {
      if (!rows.byTerm) {
        rows.byTerm = new Map()
        for (var i = 0; i < rows.length; i++) rows.byTerm.set(rows[i][0], rows[i])
      }
      return rows
    })
  }

  /* Which of these strings are index terms. */
  async function known(strings) {
    var found = new Set()
    var numbers = new Set(strings.map(function (s) { return fileOf(light.terms, s) }))
    var rows = await Promise.all(Array.from(numbers, termFile))
    for (var s of strings)
      for (var r of rows) if (r.byTerm.has(s)) found.add(s)
    return found
  }

  /* Material's segment (integrations/search/query/segment, MIT, © Martin Donath), over the whole index's terms. */
  function segment(query, index) {
    var segments = new Set()
    var wordcuts = new Uint16Array(query.length)
    for (var i = 0; i < query.length; i++)
      for (var j = i + 1; j < query.length; j++)
        if (index.has(query.slice(i, j))) wordcuts[i] = j - i
    var stack = [0]
    for (var s = stack.length; s > 0;) {
      var p = stack[--s]
      for (var q = 1; q < wordcuts[p]; q++)
        if (wordcuts[p + q] > wordcuts[p] - q) {
          segments.add(query.slice(p, p + q))
          stack[s++] = p + q
        }
      var end = p + wordcuts[p]
      if (wordcuts[end] && end < query.length - 1) stack[s++] = end
      segments.add(query.slice(p, end))
    }
    if (segments.has("")) return new Set([query])
    return segments
  }

  /* The best pages of every index term starting with `term`: page → weight. */
  async function pagesFor(term) {
    var pages = new Map()
    function add(flat) {
      for (var i = 0; i < flat.length; i += 2)
        if (!(pages.get(flat[i]) >= flat[i + 1])) pages.set(flat[i], flat[i + 1])
    }
    /* The terms starting with `term` run from file `first` to file `last`; over more than one file, the term is a
       big prefix with its own best pages in a prefix file. */
    var at = fileOf(light.terms, term)
    var file = await termFile(at)
    var first = file.some(function (entry) { return entry[0].startsWith(term) }) ? at : at + 1
    var last = at
    while (last + 1 < light.terms.length && light.terms[last + 1].startsWith(term)) last++
    if (last > first) {
      var rows = await load("prefixes/" + fileOf(light.prefix_files, term) + ".json")
      for (var row of rows) if (row[0] === term) add(row[2])
    } else if (first === last) {
      for (var entry of await termFile(first)) if (entry[0].startsWith(term)) add(entry[2])
    }
    return pages
  }

  /* The entries of these pages (a page and its sections), in page order; `numbers` gets each page's number by path. */
  async function entriesOf(pages, numbers) {
    pages = pages.slice().sort(function (a, b) { return a - b })
    var wanted = new Set(pages)
    var files = Array.from(new Set(pages.map(function (p) { return Math.floor(p / light.doc_pages) })))
    var chunks = await Promise.all(files.map(function (n) { return load("docs/" + n + ".json") }))
    var docs = []
    files.forEach(function (number, k) {
      var page = number * light.doc_pages - 1, path = null
      for (var doc of chunks[k]) {
        var here = doc.location.split("#")[0]
        if (!(doc.location.indexOf("#") >= 0 && here === path)) { page++; path = here }
        if (wanted.has(page)) {
          docs.push(doc)
          numbers.set(here, page)
        }
      }
    })
    return docs
  }

  async function search(query) {
    var runs = (query.match(HAN) || []).map(function (run) { return run.toLowerCase() })
    var parts = new Set()
    for (var run of runs)
      for (var i = 0; i < run.length; i++)
        for (var j = i + 1; j <= run.length; j++) parts.add(run.slice(i, j))
    var dictionary = await known(Array.from(parts))
    var cut = query.replace(HAN, function (run) { return Array.from(segment(run, dictionary)).join(" ") })
    var separator = new RegExp(config.separator)
    var terms = new Set()
    for (var word of cut.split(separator)) {
      word = word.replace(/^[+\-]+/, "").replace(/["*]|[~^]\d*$/g, "")
      if (word) terms.add(word.toLowerCase())
    }
    /* Pages holding a whole word or Han run of the query (a run of a school's name) come first among the pages
       kept, though material may search the run as shorter parts that many pages hold; only a part that starts
       with one of the query's terms counts (material finds those pages). */
    var wholes = new Set(), words = new Set()
    for (var part of query.toLowerCase().split(separator).concat(runs))
      if (part && !terms.has(part) && Array.from(terms).some(function (t) { return part.startsWith(t) }))
        wholes.add(part)
    /* A whole word of the query that material cuts away (示例初级中学00267 is searched as 示例00267): the pages
       holding it are listed first though material finds none of them. */
    for (var typed of query.toLowerCase().split(separator))
      if (typed.length > 1 && !terms.has(typed) && !wholes.has(typed)) words.add(typed)
    /* held: page → the length of the longest whole part it holds (示例小学00042 before 示例小学). A page holding a
       whole part holds the query term it starts with too, though that term's list may stop before it: material
       finds it. */
    var asked = Array.from(terms).concat(Array.from(wholes), Array.from(words))
    var wordHeld = new Set()
    var scores = new Map(), held = new Map()
    var found = await Promise.all(asked.map(pagesFor))
    found.forEach(function (pages, k) {
      var part = asked[k]
      pages.forEach(function (weight, page) {
        if (k >= terms.size) held.set(page, Math.max(held.get(page) || 0, part.length))
        if (words.has(part)) wordHeld.add(page)
        if (k < terms.size || !scores.has(page)) scores.set(page, (scores.get(page) || 0) + weight)
      })
    })
    var best = Array.from(scores).sort(function (a, b) {
      return (held.get(b[0]) || 0) - (held.get(a[0]) || 0) || b[1] - a[1] || a[0] - b[0]
    }).slice(0, light.max_results).map(function (pair) { return pair[0] })
    if (!best.length) return { type: RESULT, data: { items: [] } }
    var numbers = new Map()
    var docs = await entriesOf(best, numbers)
    docs.push({ location: SEGMENTS, title: "", text: Array.from(dictionary).join(" ") })
    await ask({ type: SETUP, data: { config: config, docs: docs, options: options } })
    var answer = await ask({ type: QUERY, data: query })
    /* Material may cut a whole name typed with its digits (示例小学00042 → 示例, 小00042) and rank other pages
       first; the pages holding a whole part of the query go first, in material's order otherwise. */
    function holds(group) { return held.get(numbers.get(group[0].location.split("#")[0])) || 0 }
    answer.data.items = answer.data.items
      .filter(function (group) { return group[0].location !== SEGMENTS })
      .map(function (group, k) { return [holds(group), k, group] })
      .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1] })
      .map(function (triple) { return triple[2] })
    var listed = new Set(answer.data.items.map(function (group) { return group[0].location.split("#")[0] }))
    var missed = docs.filter(function (doc) {
      return doc.location.indexOf("#") < 0 && wordHeld.has(numbers.get(doc.location)) && !listed.has(doc.location)
    })
    answer.data.items = missed.map(function (doc) {
      return [Object.assign({}, doc, { score: 0, terms: {} })]
    }).concat(answer.data.items)
    return answer
  }

  function handle(message) {
    if (message.type === SETUP) {
      whole = !message.data.config.light
      if (whole) return ask(message)
      config = message.data.config
      light = config.light
      options = message.data.options || options
      return { type: READY }
    }
    if (message.type === QUERY && !whole) return search(message.data)
    return ask(message)
  }

  var queue = Promise.resolve()
  listen("message", function (event) {
    queue = queue.then(function () { return handle(event.data) }).then(post, function (error) {
      console.warn(error)
      post({ type: RESULT, data: { items: [] } })
    })
  })
})()
