#!/usr/bin/env node
// tests/tools/alerts-refs.js - what tests/alerts.t compares, one fact a line:
//
//   alerts-refs.js rules RULES.yml      "ref NAME" for every series a rule's expr reads
//                                       (opscheck_* and push_*), "alert NAME" for every alert
//   alerts-refs.js unit TEST.yml        "series NAME LABEL,LABEL" for every input series (labels
//                                       sorted, without job and instance, which a scrape adds),
//                                       "fires NAME" / "quiet NAME" for every alert_rule_test
//   alerts-refs.js prom FILE...         "series NAME LABEL,LABEL" for every sample of a
//                                       Prometheus text file, the same way
//
// YAML is read with npm's `yaml` (scripts/install-npm-deps); exit 3 when it cannot run.
"use strict";
const fs = require("fs");
const path = require("path");
let YAML;
try {
    YAML = require(path.join(process.env.OPSCHECK_NPM_CACHE || "", "node_modules", "yaml"));
} catch (e) {
    console.error("alerts-refs: cannot load npm yaml (run scripts/install-npm-deps): " + e.message);
    process.exit(3);
}

const scrape = new Set(["job", "instance"]);
const out = new Set();
const labelsOf = (pairs) => pairs.filter((k) => !scrape.has(k)).sort().join(",");

function rules(file) {
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    for (const g of doc.groups || []) {
        for (const r of g.rules || []) {
            if (r.alert) out.add("alert " + r.alert);
            for (const m of String(r.expr).matchAll(/\b(opscheck_[a-z0-9_]+|push_[a-z_]+)\b/g)) out.add("ref " + m[1]);
        }
    }
}

// `name{a="x",b="y"}` as promtool reads an input series (no spaces in names).
function selector(s) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/.exec(s.trim());
    if (!m) throw new Error("cannot read the series " + s);
    const keys = [...(m[2] || "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"(?:[^"\\]|\\.)*"/g)].map((k) => k[1]);
    return [m[1], keys];
}

function unit(file) {
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    for (const t of doc.tests || []) {
        for (const s of t.input_series || []) {
            const [name, keys] = selector(s.series);
            out.add("series " + name + " " + labelsOf(keys));
        }
        for (const a of t.alert_rule_test || []) out.add(((a.exp_alerts || []).length ? "fires " : "quiet ") + a.alertname);
    }
}

function prom(file) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line || line.startsWith("#")) continue;
        // The series is everything up to the `}` outside quotes, or the first blank.
        let end = line.indexOf("{") < 0 ? line.search(/\s/) : -1;
        for (let i = line.indexOf("{"), q = false; end < 0 && i < line.length; i++) {
            if (q && line[i] === "\\") i++;
            else if (line[i] === '"') q = !q;
            else if (!q && line[i] === "}") end = i + 1;
        }
        const [name, keys] = selector(line.slice(0, end));
        out.add("series " + name + " " + labelsOf(keys));
    }
}

const [mode, ...files] = process.argv.slice(2);
const modes = { rules, unit, prom };
if (!modes[mode] || !files.length) {
    console.error("usage: alerts-refs.js rules|unit|prom FILE...");
    process.exit(3);
}
try {
    files.forEach(modes[mode]);
} catch (e) {
    console.error("alerts-refs: " + e.message);
    process.exit(2);
}
console.log([...out].sort().join("\n"));
