/* pm build: search the whole archive in the browser, with no server.
 *
 * The index is a set of small scripts under search/ (written by src/site/search.rs), each
 * calling pmSearch(kind, number, data): a page opened from disk (file://) may not fetch()
 * the files beside it, but it may load them as script elements. search/index.js says where
 * each shard of terms starts; a query loads only the shards holding its words and filters,
 * then the chunks of search/d/ with the results it shows.
 *
 * Words are cut as the index cuts them (src/search/tokenizer.rs): lower-cased, folded to
 * ASCII, split at anything but letters and digits, and identifiers (us-east-1, ORA-00600,
 * 10.42.7.19) also kept whole. Every word must match, as a prefix from two letters on.
 * Document text is put in the page only as text (textContent and text nodes).
 */
(function () {
  'use strict';

  var VERSION = 1;
  var PAGE = 20; // results shown at a time
  var MAX_PREFIX_SHARDS = 3; // shards of terms one prefix may load
  var MIN_PREFIX = 2; // shorter words match whole
  var MAX_TERM = 64; // terms are cut to this many characters, as in the index
  var DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var IN_TITLE = 2;
  var IN_META = 1;
  var FILTERS = ['team', 'service', 'severity', 'year'];
  var NOT_ALNUM = /[^\p{Alphabetic}\p{N}]+/u;
  var EDGES = /^[^\p{Alphabetic}\p{N}]+|[^\p{Alphabetic}\p{N}]+$/gu;
  var IDENT_CHARS = /^[\p{Alphabetic}\p{N}\-_./:]+$/u;
  var JOINS = /[\-_./:]/;
  var WORDS = /[\p{Alphabetic}\p{N}]+/gu;
  var IDENTS = /[\p{Alphabetic}\p{N}]+(?:[\-_./:]+[\p{Alphabetic}\p{N}]+)+/gu;
  // Letters that fold to ASCII without a decomposition (as tantivy's AsciiFoldingFilter).
  var SPELLED = {
    'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'ł': 'l', 'þ': 'th',
    'ı': 'i', 'ħ': 'h', 'ŋ': 'n', 'ŧ': 't', 'ſ': 's', 'ĸ': 'q'
  };

  var script = document.currentScript;
  var form = document.getElementById('search');
  if (!script || !form) return;
  var root = new URL('.', script.src);
  var base = new URL('search/', root).href;
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var selects = {};
  FILTERS.forEach(function (name) { selects[name] = form.elements[name]; });
  var title = document.title;

  var VALUE = new Int8Array(128).fill(-1);
  for (var i = 0; i < DIGITS.length; i++) VALUE[DIGITS.charCodeAt(i)] = i;

  // Loading the index.
  var loaded = {};
  var pending = {};
  window.pmSearch = function (kind, n, data) { loaded[kind + n] = data; };

  function load(kind, n) {
    var key = kind + n;
    if (!pending[key]) {
      pending[key] = new Promise(function (resolve, reject) {
        var tag = document.createElement('script');
        // The directory is never taken from a cache; the rest is asked for with its stamp,
        // so a browser cannot mix files of two builds.
        tag.src = base + (kind === 'i'
          ? 'index.js?t=' + Date.now()
          : kind + '/' + n + '.js?v=' + (dir ? dir.stamp : ''));
        tag.onload = function () {
          tag.remove();
          if (key in loaded) resolve(loaded[key]);
          else reject(new Error(tag.src));
        };
        tag.onerror = function () {
          tag.remove();
          delete pending[key];
          reject(new Error(tag.src));
        };
        document.head.appendChild(tag);
      });
    }
    return pending[key];
  }

  // Cutting text into terms.
  // Lower-cased letter by letter, as tantivy's LowerCaser does (so Σ is always σ).
  function fold(text) {
    if (!/[^\x00-\x7f]/.test(text)) return text.toLowerCase();
    var out = '';
    for (var c of Array.from(text, function (l) { return l.toLowerCase(); }).join('')) {
      var plain = c.normalize('NFKD').replace(/\p{M}/gu, '');
      if (plain && !/[^\x00-\x7f]/.test(plain)) out += plain;
      else out += SPELLED[c] || c;
    }
    return out;
  }

  function cut(term) {
    return term.length > MAX_TERM ? Array.from(term).slice(0, MAX_TERM).join('') : term;
  }

  function isIdentifier(word) {
    return JOINS.test(word) && IDENT_CHARS.test(word);
  }

  // The query's terms: each identifier whole, each other word on its own.
  function queryTerms(query) {
    var terms = [];
    var seen = {};
    function add(text, ident) {
      var term = cut(fold(text));
      if (!term || seen[term]) return;
      seen[term] = true;
      terms.push({ text: term, ident: ident, prefix: ident || term.length >= MIN_PREFIX });
    }
    query.split(/\s+/).forEach(function (chunk) {
      var word = chunk.replace(EDGES, '');
      if (isIdentifier(word)) add(word, true);
      else word.split(NOT_ALNUM).forEach(function (w) { if (w) add(w, false); });
    });
    return terms;
  }

  // Finding terms in the shards.
  function shardRange(dir, text, prefix) {
    var firsts = dir.shards;
    var lo = 0;
    var hi = firsts.length - 1;
    var start = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= text) { start = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var end = start + 1;
    while (prefix && end < firsts.length && end - start < MAX_PREFIX_SHARDS &&
           firsts[end].startsWith(text)) end++;
    var shards = [];
    for (var s = start; s < Math.min(end, firsts.length); s++) shards.push(s);
    return shards;
  }

  // Calls visit(number, places) for each posting.
  function decode(text, places, visit) {
    var value = 0;
    var scale = 1;
    var next = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = VALUE[text.charCodeAt(i)];
      if (digit >= 32) {
        value += (digit - 32) * scale;
        scale *= 32;
        continue;
      }
      value += digit * scale;
      var n = next + (places ? Math.floor(value / 4) : value);
      visit(n, places ? value % 4 : 0);
      next = n + 1;
      value = 0;
      scale = 1;
    }
  }

  // For each document, the best weight of `term` in it (0: not there).
  function weights(dir, term, shards) {
    var out = new Uint8Array(dir.documents);
    shards.forEach(function (flat) {
      for (var i = 0; i < flat.length; i += 2) {
        var t = flat[i];
        var exact = t === term.text;
        if (!exact && !(term.prefix && t.startsWith(term.text))) continue;
        decode(flat[i + 1], t.charAt(0) !== '!', function (n, places) {
          var w = 1 + (places & IN_TITLE ? 8 : 0) + (places & IN_META ? 4 : 0) + (exact ? 2 : 0);
          if (w > out[n]) out[n] = w;
        });
      }
    });
    return out;
  }

  // The numbers of the matching documents, best first, then newest (lowest number) first.
  function match(dir, terms, filters, shardsOf) {
    var scores = null;
    var need = function (w) {
      if (!scores) { scores = new Uint16Array(w.length); scores.fill(1); }
      for (var n = 0; n < w.length; n++) scores[n] = w[n] && scores[n] ? scores[n] + w[n] : 0;
    };
    filters.forEach(function (f) { need(weights(dir, f, shardsOf(f))); });
    terms.forEach(function (t) { need(weights(dir, t, shardsOf(t))); });
    var ids = [];
    for (var n = 0; n < dir.documents; n++) if (scores[n]) ids.push(n);
    ids.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
    return ids;
  }

  // Showing results.
  function ranges(text, terms, pattern, fits) {
    var found = [];
    if (!terms.length) return found;
    pattern.lastIndex = 0;
    var m;
    while ((m = pattern.exec(text))) {
      var term = cut(fold(m[0]));
      if (terms.some(function (t) { return fits(t, term); })) {
        found.push([m.index, m.index + m[0].length]);
      }
    }
    return found;
  }

  // `text` as nodes, the words the query found marked.
  function highlight(text, terms) {
    var words = terms.filter(function (t) { return !t.ident; });
    var idents = terms.filter(function (t) { return t.ident; });
    var found = ranges(text, idents, IDENTS, function (t, term) { return term.startsWith(t.text); })
      .concat(ranges(text, words, WORDS, function (t, term) {
        return t.prefix ? term.startsWith(t.text) : term === t.text;
      }))
      .sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var fragment = document.createDocumentFragment();
    var at = 0;
    found.forEach(function (r) {
      if (r[1] <= at) return;
      var start = Math.max(r[0], at);
      if (start > at) fragment.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(start, r[1]);
      fragment.appendChild(mark);
      at = r[1];
    });
    if (at < text.length) fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function element(name, className, text) {
    var e = document.createElement(name);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // One result: [page, title, date, severity, teams, summary].
  function result(dir, doc, terms) {
    var item = element('li');
    var heading = element('h2');
    var link = element('a');
    var href = new URL(doc[0], root);
    if (href.protocol === root.protocol) link.href = href.href;
    link.appendChild(highlight(doc[1], terms));
    heading.appendChild(link);
    item.appendChild(heading);
    var meta = element('p', 'search-meta');
    var date = element('time', '', doc[2]);
    date.dateTime = doc[2];
    meta.appendChild(date);
    var severity = dir.severities[doc[3]];
    if (severity) {
      meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(element('span', 'sev sev-' + severity[1], severity[0]));
    }
    var teams = doc[4].map(function (t) { return dir.teams[t] ? dir.teams[t][1] : ''; });
    if (teams.length) meta.appendChild(document.createTextNode(' · ' + teams.join(', ')));
    item.appendChild(meta);
    if (doc[5]) {
      var summary = element('p', 'search-summary');
      summary.appendChild(highlight(doc[5], terms));
      item.appendChild(summary);
    }
    return item;
  }

  // The query in the form and the URL.
  function readURL() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    FILTERS.forEach(function (name) {
      var value = params.get(name) || '';
      selects[name].value = value;
      if (selects[name].value !== value) selects[name].value = '';
    });
  }

  function writeURL(push) {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    FILTERS.forEach(function (name) {
      if (selects[name].value) params.set(name, selects[name].value);
    });
    var search = params.toString() ? '?' + params.toString() : '';
    if (search === location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', search || location.pathname);
  }

  function say(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  var dir = null;
  var current = 0; // the search under way; older ones drop their answers
  var shown = null; // { ids, terms, count }

  function search() {
    var run = ++current;
    var query = input.value.trim();
    document.title = query ? query + ' · ' + title : title;
    var terms = queryTerms(query);
    var filters = FILTERS.filter(function (name) { return selects[name].value; })
      .map(function (name) {
        return { text: '!' + name + ':' + selects[name].value, ident: false, prefix: false };
      });
    list.textContent = '';
    more.hidden = true;
    shown = null;
    if (!terms.length && !filters.length) {
      say('Type words to search for, or pick a team, service, severity or year.', 'done');
      return;
    }
    var needed = {};
    var plan = new Map();
    terms.concat(filters).forEach(function (t) {
      plan.set(t, shardRange(dir, t.text, t.prefix));
      plan.get(t).forEach(function (s) { needed[s] = true; });
    });
    say('Searching…', 'loading');
    Promise.all(Object.keys(needed).map(function (s) { return load('t', s); }))
      .then(function () {
        if (run !== current) return;
        var started = performance.now();
        var ids = match(dir, terms, filters, function (t) {
          return plan.get(t).map(function (s) { return loaded['t' + s]; });
        });
        status.dataset.matchMs = (performance.now() - started).toFixed(1);
        shown = { ids: ids, terms: terms, count: 0 };
        return showMore(run);
      })
      .catch(function (error) { failed(error, run); });
  }

  function showMore(run) {
    var page = shown.ids.slice(shown.count, shown.count + PAGE);
    var chunks = {};
    page.forEach(function (n) { chunks[Math.floor(n / dir.chunk)] = true; });
    say('Searching…', 'loading');
    return Promise.all(Object.keys(chunks).map(function (c) { return load('d', c); }))
      .then(function () {
        if (run !== current) return;
        var started = performance.now();
        var items = document.createDocumentFragment();
        page.forEach(function (n) {
          var chunk = loaded['d' + Math.floor(n / dir.chunk)];
          items.appendChild(result(dir, chunk[n % dir.chunk], shown.terms));
        });
        list.appendChild(items);
        shown.count += page.length;
        more.hidden = shown.count >= shown.ids.length;
        status.dataset.renderMs = (performance.now() - started).toFixed(1);
        var total = shown.ids.length;
        say(total === 0 ? 'No postmortem matches.'
          : total === 1 ? '1 postmortem matches.'
          : total + ' postmortems match' +
            (total > shown.count ? ', the first ' + shown.count + ' shown.' : '.'), 'done');
      });
  }

  function failed(error, run) {
    if (run !== undefined && run !== current) return;
    say('The search index could not be loaded (' + error.message + '). Build the site again ' +
      'with pm build, or browse by team or service.', 'error');
  }

  function fill(select, values) {
    values.forEach(function (v) {
      var option = element('option', '', v[1]);
      option.value = v[0];
      select.appendChild(option);
    });
  }

  var typing = false; // whether the current history entry is the one being typed
  var timer = 0;

  load('i', 0).then(function (index) {
    if (!index || index.version !== VERSION) {
      throw new Error('search/index.js is of another version');
    }
    dir = index;
    fill(selects.team, dir.teams);
    fill(selects.service, dir.services);
    fill(selects.severity, dir.severities.map(function (s) { return [s[0], s[0]]; }));
    fill(selects.year, dir.years.map(function (y) { return [y, y]; }));
    form.hidden = false;
    readURL();
    search();
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        writeURL(!typing);
        typing = true;
        search();
      }, 150);
    });
    form.addEventListener('change', function (event) {
      if (event.target === input) return;
      writeURL(true);
      typing = false;
      search();
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearTimeout(timer);
      writeURL(!typing);
      typing = false;
      search();
    });
    more.addEventListener('click', function () {
      showMore(current).catch(function (error) { failed(error); });
    });
    window.addEventListener('popstate', function () {
      typing = false;
      readURL();
      search();
    });
  }).catch(function (error) { failed(error); });
}());
