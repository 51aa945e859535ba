#!/usr/bin/env node
// tap14-check.js [--tap14] FILE - strict validation of a TAP 14 stream, run by tests/tools/tap-check
// (see README.md beside it).  Two opinions on the same bytes:
//   1. our own line-by-line reading of the TAP 14 grammar (below), which names the line of every problem
//      and checks what tap-parser lets through (empty input, the version line, subtest names, YAML, plan
//      placement, test numbers, ...), recursively for every 4-space-indented subtest;
//   2. npm tap-parser in strict mode (the reference parser of TAP 14's authors): any tapError it reports.
// Exit 0 valid and passing, 1 valid but a test failed or the stream bailed out, 2 not valid, 3 could not run.
// Problems go to stderr, one line each: "tap-check: line N: what".
//
// Some rules are opscheck's producer contract rather than TAP 14 (the spec says "should", or allows it):
// CR bytes, an unescaped '#' in a description or reason, a YAML block that is not a mapping, test numbers
// not in 1, 2, 3 order.  They are on by default (our streams promise them); --tap14 turns them off, to
// validate TAP 14 as the spec allows it (then CR LF is read as LF, as a harness should).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const args = process.argv.slice(2);
const tap14Only = args[0] === '--tap14';
if (tap14Only) args.shift();
if (args.length !== 1 || !process.env.OPSCHECK_NPM_CACHE) {
    console.error('tap-check: usage: OPSCHECK_NPM_CACHE=DIR tap14-check.js [--tap14] FILE');
    process.exit(3);
}
let tapParser, YAML;
try {
    const req = createRequire(path.join(process.env.OPSCHECK_NPM_CACHE, 'package.json'));
    tapParser = req('tap-parser');
    YAML = req('yaml');
} catch (e) {
    console.error('tap-check: tap-parser or yaml missing in ' + process.env.OPSCHECK_NPM_CACHE +
                  ' (run scripts/install-deps): ' + e.message.split('\n')[0]);
    process.exit(3);
}

const problems = [];                           // {line, msg}; line 0 = the stream as a whole
const problem = (line, msg) => problems.push({ line, msg });
const contract = (line, msg) => { if (!tap14Only) problem(line, msg); };
const BAILED = Symbol('bail out');             // thrown from any depth: a bail out ends the reading

// Bytes: empty input, UTF-8 (TAP 14 producers must use it), CR, the final newline.
const bytes = fs.readFileSync(args[0]);
if (bytes.length === 0) finish(2, [{ line: 1, msg: 'empty input (not even a version line)' }]);
let text;
try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
} catch {
    finish(2, [{ line: firstBadUtf8Line(bytes), msg: 'invalid UTF-8' }]);
}
text.split('\n').forEach((l, i) => { if (l.includes('\r')) contract(i + 1, 'CR byte (lines must end in LF only)'); });
text = text.replace(/\r\n?/g, '\n');
if (!text.endsWith('\n')) problem(text.split('\n').length, 'last line has no newline');
const lines = text.replace(/\n$/, '').split('\n');   // lines[i] is line i + 1

// The grammar, one document (the root, or a subtest) at a time.
const PLAN = /^1\.\.(0|[1-9][0-9]*)(?: # (.+))?$/;
const TEST = /^(not )?ok(?= |$)/;
const BAIL = /^bail out!(?: .*)?$/i;
const PRAGMA = /^pragma [+-][A-Za-z0-9_-]+$/;
const SUBTEST = /^# Subtest(?:: (.*))?$/;
const COMMENT = /^[ ]*#/;
const blank = (l) => /^[ \t]*$/.test(l);
let bailed = false, rootFailed = false;

if (lines[0] !== 'TAP version 14') {
    const v = lines.findIndex((l) => l === 'TAP version 14');
    problem(1, v > 0 ? '"TAP version 14" is line ' + (v + 1) + ', it must be the first line'
        : 'first line is not "TAP version 14"');
}
try {
    document(lines[0] === 'TAP version 14' ? 1 : 0, lines.length, '', null);
} catch (e) {
    if (e !== BAILED) throw e;
}
secondOpinion(tap14Only ? text : bytes.toString('utf8'), (res) => {
    if (problems.length) finish(2, problems);
    finish(bailed || rootFailed || !res.ok ? 1 : 0, []);
});

// secondOpinion TEXT DONE: tap-parser in strict mode over TEXT; each tapError it reports is a problem
// (located on the line it quotes, when it quotes one); DONE gets its final results.
function secondOpinion(text, done) {
    const p = new tapParser.Parser({ strict: true }, (res) => {
        for (const f of res.failures) {
            if (!f.tapError) continue;
            const quoted = typeof f.data === 'string' ? f.data.split('\n')[0] : null;
            const q = quoted === null ? null : quoted.replace(/\r$/, '');   // it may quote a line unindented
            const same = (l) => l === q || (q.trim() !== '' && l.trim() === q.trim());
            const at = q === null || lines.filter(same).length !== 1 ? -1 : lines.findIndex(same);   // no guessing
            problem(at + 1, 'tap-parser: ' + f.tapError + (quoted !== null ? ': ' + excerpt(quoted) : ''));
        }
        done(res);
    });
    p.end(text);
}

// document FROM TO IND NAME: lines[FROM..TO) form one TAP document indented by IND; returns whether it
// passed.  NAME is the subtest's expected name when a "# Subtest" comment announced it (string, or '' for
// a bare "# Subtest"), else null.
function document(from, to, ind, name) {
    let plan = null, count = 0, failed = false, first = true, pending = null;
    const seen = new Map();                     // test number -> line
    for (let i = from; i < to; i++) {
        const raw = lines[i], no = i + 1;
        if (blank(raw)) continue;
        if (raw.startsWith(ind + '    ')) {     // a subtest body: every line up to the correlated test point
            let j = i;
            while (j < to && (blank(lines[j]) || lines[j].startsWith(ind + '    ') ||
                              (COMMENT.test(lines[j]) && !SUBTEST.test(lines[j].slice(ind.length))))) j++;
            let k = j;                          // the correlated test point closes the subtest
            while (k > i && !lines[k - 1].startsWith(ind + '    ')) k--;   // trailing comments belong to us
            const inner = ind + '    ';
            let sname = pending ? pending.name : null;
            const m = SUBTEST.exec(lines[i].slice(inner.length));
            if (sname === null && m) sname = m[1] === undefined ? '' : m[1];
            const passed = document(i, k, inner, sname);
            pending = null;
            let c = k;
            while (c < to && (blank(lines[c]) || COMMENT.test(lines[c]))) c++;
            if (c >= to || !TEST.test(lines[c].slice(ind.length)) || lines[c][ind.length] === ' ') {
                problem(c < to ? c + 1 : to, 'subtest from line ' + no + ' is not closed by a test point');
                i = c - 1;
                continue;
            }
            const tp = testPoint(c, ind);
            if (sname !== null && tp && tp.desc !== unescape(sname))
                problem(c + 1, (sname ? 'subtest "' + sname + '"' : 'unnamed "# Subtest"') + ' closed by ' +
                        (tp.desc ? '"' + tp.desc + '"' : 'a test point with no name'));
            if (tp && !passed && tp.pass) contract(c + 1, 'subtest failed but its test point is ok');
            i = account(c, tp) - 1;
            continue;
        }
        if (!raw.startsWith(ind) || raw[ind.length] === ' ') {
            if (!COMMENT.test(raw)) problem(no, 'not TAP at this indentation: ' + excerpt(raw));
            continue;
        }
        const s = raw.slice(ind.length);
        const isFirst = first;
        first = false;
        let m;
        if (ind && isFirst && SUBTEST.test(s)) {   // "    # Subtest: NAME" inside: the caller read NAME
            first = true;                       // a version line may still follow
            continue;
        }
        if ((m = SUBTEST.exec(s))) {
            if (pending) problem(pending.no, '"# Subtest" comment with no indented subtest after it');
            pending = { no, name: m[1] === undefined ? '' : m[1] };
            continue;
        }
        if (COMMENT.test(s)) continue;
        if (pending) { problem(pending.no, '"# Subtest" comment with no indented subtest after it'); pending = null; }
        if (s.startsWith('TAP version')) {
            if (!(ind && isFirst && s === 'TAP version 14')) problem(no, 'misplaced or wrong version line: ' + excerpt(s));
        } else if (/^[0-9]+\.\./.test(s)) {
            if (!(m = PLAN.exec(s))) problem(no, 'malformed plan: ' + excerpt(s));
            else if (plan) problem(no, 'second plan (the first is line ' + plan.no + ')');
            else plan = { no, n: Number(m[1]), last: count > 0 };
        } else if (TEST.test(s)) {
            i = account(i, testPoint(i, ind)) - 1;
        } else if (BAIL.test(s)) {
            bailed = true;
            throw BAILED;
        } else if (!PRAGMA.test(s)) {
            problem(no, 'not a TAP line: ' + excerpt(s));
        }
    }
    if (pending) problem(pending.no, '"# Subtest" comment with no indented subtest after it');
    const where = ind ? 'subtest ending line ' + to : 'stream';
    if (!plan) problem(to, 'no plan in the ' + where);
    else {
        if (plan.n !== count)
            problem(plan.no, 'plan 1..' + plan.n + ' but ' + count + ' test point' + (count === 1 ? '' : 's') + ' in the ' + where);
        for (const [id, no] of seen)
            if (id < 1 || id > plan.n) problem(no, 'test number ' + id + ' outside the plan 1..' + plan.n);
    }
    if (!ind) rootFailed = failed;
    return !failed;

    // account I TP: counts the test point on line I+1 (its number, the plan's place, its YAML block);
    // returns the index of the first line after it and its YAML.
    function account(i, tp) {
        const no = i + 1;
        count++;
        if (plan && plan.last) problem(no, 'test point after the closing plan (line ' + plan.no + ')');
        if (plan && !plan.last && plan.n === 0) problem(no, 'test point after a 1..0 plan');
        if (tp && tp.id !== null) {
            if (seen.has(tp.id)) problem(no, 'test number ' + tp.id + ' repeated (first on line ' + seen.get(tp.id) + ')');
            else seen.set(tp.id, no);
            if (tp.id !== count) contract(no, 'test number ' + tp.id + ' out of order (expected ' + count + ')');
        }
        if (tp && !tp.pass) failed = true;
        return yamlBlock(i + 1, ind + '  ');
    }
}

// testPoint I IND: parses the test point on line I+1 -> {id, desc, pass} (desc unescaped), or null.
// A directive starts at the first unescaped '#' with whitespace on both sides; only SKIP and TODO are
// directives, anything else after such a '#' stays in the description (TAP 14).
function testPoint(i, ind) {
    const no = i + 1;
    const m = /^(not )?ok(?: ([0-9]+)(?= |$))?(?: -(?= |$))?(.*)$/.exec(lines[i].slice(ind.length));
    if (!m) { problem(no, 'malformed test point'); return null; }
    let rest = m[3], dir = null, reason = '';
    for (let p = 0; p < rest.length; p++) {
        if (rest[p] === '\\') { p++; continue; }
        if (rest[p] === '#' && /\s/.test(rest[p - 1] || ' ') && /\s/.test(rest[p + 1] || ' ')) {
            const d = /^#\s*(skip|todo)\S*(?:\s+(.*))?$/i.exec(rest.slice(p));
            if (d) { dir = d[1].toLowerCase(); reason = d[2] || ''; rest = rest.slice(0, p); }
            break;
        }
    }
    rest = rest.replace(/^ /, '').replace(/ $/, '');
    if (unescapedHash(rest)) contract(no, "unescaped '#' in the description (write \\#)");
    if (unescapedHash(reason)) contract(no, "unescaped '#' in the " + dir.toUpperCase() + " reason (write \\#)");
    return { id: m[2] === undefined ? null : Number(m[2]), desc: unescape(rest), pass: !m[1] || dir !== null };
}

// yamlBlock I IND: if a YAML block ("IND---" ... "IND...") follows line I (blank lines and comments may
// stand between), checks that it is closed, parses as YAML 1.2 and is a mapping; returns the index after it.
function yamlBlock(i, ind) {
    let j = i;
    while (j < lines.length && (blank(lines[j]) || (COMMENT.test(lines[j]) && lines[j] !== ind + '---'))) j++;
    if (j >= lines.length || lines[j] !== ind + '---') return i;
    const body = [];
    for (let k = j + 1; k < lines.length; k++) {
        if (lines[k] === ind + '...') {
            let doc;
            try {
                doc = YAML.parseDocument(body.join('\n') + '\n', { uniqueKeys: true });
            } catch (e) {
                problem(j + 1, 'YAML block does not parse: ' + e.message.split('\n')[0]);
                return k + 1;
            }
            if (doc.errors.length) {
                const e = doc.errors[0];
                const at = e.linePos ? j + 1 + e.linePos[0].line : j + 1;
                problem(at, 'YAML block does not parse: ' + e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
            } else {
                const v = doc.toJS();
                if (v === null || typeof v !== 'object' || Array.isArray(v))
                    (v === null ? problem : contract)(j + 1, 'YAML block is ' + (v === null ? 'empty' : Array.isArray(v) ? 'a sequence' : 'a ' + typeof v) + ', not a mapping');
            }
            return k + 1;
        }
        if (!blank(lines[k]) && !lines[k].startsWith(ind)) {
            problem(j + 1, 'YAML block is not closed by "' + ind + '..." before line ' + (k + 1));
            return k;
        }
        body.push(lines[k].slice(ind.length));
    }
    problem(j + 1, 'YAML block is not closed by "' + ind + '..."');
    return lines.length;
}

function unescapedHash(s) { return /(^|[^\\])(\\\\)*#/.test(s); }
function unescape(s) { return s.replace(/\\([\\#])/g, '$1'); }
function excerpt(s) { return JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s); }

// firstBadUtf8Line BYTES: the number of the first line that is not well-formed UTF-8 (no multi-byte
// sequence contains the LF byte, so lines can be decoded one by one).
function firstBadUtf8Line(b) {
    const d = new TextDecoder('utf-8', { fatal: true });
    for (let start = 0, no = 1; start <= b.length; no++) {
        let end = b.indexOf(10, start);
        if (end < 0) end = b.length;
        try { d.decode(b.subarray(start, end)); } catch { return no; }
        start = end + 1;
    }
    return 0;
}

function finish(code, list) {
    list.sort((a, b) => (a.line || Infinity) - (b.line || Infinity));   // located problems first
    const out = [...new Set(list.map((p) => 'tap-check: ' + (p.line ? 'line ' + p.line + ': ' : '') + p.msg))];
    for (const l of out.slice(0, 20)) console.error(l);
    if (out.length > 20) console.error('tap-check: (' + (out.length - 20) + ' more)');
    process.exit(code);
}
