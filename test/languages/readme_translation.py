"""The README's opening example as Construct Hub shows it in Python, checked against examples/python.

jsii-rosetta translates the README's TypeScript snippets (the tablet `npm run test:languages`
extracts in strict mode). This takes the Python translation of the snippets above the README's
first `## ` heading and requires each of its statements in examples/python/app.py, the app that
`npm run test:languages` synthesizes and compares with the TypeScript one:

- every name the translation imports is imported by the app, from the same module;
- every construct the translation creates, `Class(self, "Id", ...)`, the app creates with the same
  class and ID, and every keyword argument the translation passes, the app passes with an
  equivalent value (the app may pass more: the README shows the short form);
- a variable of the translation stands for what the app assigned the same construct to
  (`qa = MlConnector(self, "QA", ...)` against `self.connector = MlConnector(self, "QA", ...)`).

Usage: python readme_translation.py TABLET README APP_PY; exits 1 with the differences.
"""
import ast
import json
import re
import sys


def first_section_line(readme_path):
    """The 1-based line of the README's first `## ` heading outside code fences."""
    in_fence = False
    with open(readme_path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.startswith("```"):
                in_fence = not in_fence
            elif not in_fence and re.match(r"## ", line):
                return number
    raise SystemExit(f"{readme_path} has no '## ' heading")


def opening_snippets(tablet_path, before_line):
    with open(tablet_path, encoding="utf-8") as f:
        snippets = json.load(f)["snippets"].values()
    found = [s for s in snippets
             if s["location"]["api"]["api"] == "moduleReadme" and s["location"]["field"]["line"] < before_line]
    return sorted(found, key=lambda s: s["location"]["field"]["line"])


def import_bindings(tree):
    """Local name -> fully qualified name, for the module's import statements."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def qualified(node, imports):
    """`opensearch.EngineVersion.OPENSEARCH_2_19` -> `aws_cdk.aws_opensearchservice.EngineVersion.OPENSEARCH_2_19`."""
    if isinstance(node, ast.Name):
        return imports.get(node.id)
    if isinstance(node, ast.Attribute):
        base = qualified(node.value, imports)
        return f"{base}.{node.attr}" if base else None
    return None


def construct_call(node):
    """(call, construct ID) when node is `Class(self, "Id", ...)`."""
    if (isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "self" and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        return node, node.args[1].value
    return None


class Checker:
    def __init__(self, app_source):
        self.app = ast.parse(app_source)
        self.app_imports = import_bindings(self.app)
        self.bindings = {}  # translation variable -> the app expression it stands for (source text)
        self.app_calls = {}  # (class, construct ID) -> (call, assigned-to expression or None)
        for node in ast.walk(self.app):
            value, target = (node.value, node.targets[0]) if isinstance(node, ast.Assign) and len(node.targets) == 1 else (node, None)
            found = construct_call(value)
            if found:
                call, construct_id = found
                key = (qualified(call.func, self.app_imports) or ast.unparse(call.func), construct_id)
                if key not in self.app_calls or target is not None:
                    self.app_calls[key] = (call, target)
        self.errors = []

    def same(self, t, a, t_imports):
        """Is translation expression t equivalent to app expression a?"""
        if isinstance(t, ast.Name) and t.id in self.bindings:
            return ast.unparse(a) == self.bindings[t.id]
        t_name, a_name = qualified(t, t_imports), qualified(a, self.app_imports)
        if t_name or a_name:
            return t_name == a_name
        if isinstance(t, ast.Name):
            return isinstance(a, ast.Name) and a.id == t.id
        if isinstance(t, ast.Attribute):
            return isinstance(a, ast.Attribute) and a.attr == t.attr and self.same(t.value, a.value, t_imports)
        if isinstance(t, ast.Call):
            return isinstance(a, ast.Call) and self.same_call(t, a, t_imports, report=None)
        if isinstance(t, (ast.List, ast.Tuple)):
            return type(a) is type(t) and len(a.elts) == len(t.elts) and all(
                self.same(x, y, t_imports) for x, y in zip(t.elts, a.elts))
        return ast.dump(t) == ast.dump(a)

    def same_call(self, t, a, t_imports, report):
        ok = self.same(t.func, a.func, t_imports) and len(t.args) == len(a.args) and all(
            self.same(x, y, t_imports) for x, y in zip(t.args, a.args))
        a_keywords = {k.arg: k.value for k in a.keywords}
        for keyword in t.keywords:
            if keyword.arg not in a_keywords:
                ok = False
                if report:
                    report(f"{keyword.arg}={ast.unparse(keyword.value)}: the app passes no {keyword.arg}")
            elif not self.same(keyword.value, a_keywords[keyword.arg], t_imports):
                ok = False
                if report:
                    report(f"{keyword.arg}={ast.unparse(keyword.value)}: the app passes {keyword.arg}={ast.unparse(a_keywords[keyword.arg])}")
        return ok

    def check(self, source, where):
        tree = ast.parse(source)
        own_imports = import_bindings(tree)
        for name, full in own_imports.items():
            if self.app_imports.get(name) != full:
                self.errors.append(f"{where}: imports {full} as {name}; the app "
                                   + (f"binds {name} to {self.app_imports[name]}" if name in self.app_imports else f"does not import {name}"))
        # What the snippet uses without importing it comes from its fixture (rosetta/*.ts-fixture),
        # which imports what the app imports.
        t_imports = {**self.app_imports, **own_imports}
        statements = 0
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            statements += 1
            value, target = (node.value, node.targets[0]) if isinstance(node, ast.Assign) and len(node.targets) == 1 else (
                (node.value, None) if isinstance(node, ast.Expr) else (None, None))
            found = construct_call(value) if value is not None else None
            if not found:
                self.errors.append(f"{where}, line {node.lineno}: not a construct of the app: {ast.unparse(node)[:120]}")
                continue
            call, construct_id = found
            key = (qualified(call.func, t_imports) or ast.unparse(call.func), construct_id)
            if key not in self.app_calls:
                self.errors.append(f"{where}, line {node.lineno}: the app creates no {key[0]}(self, {construct_id!r})")
                continue
            app_call, app_target = self.app_calls[key]
            self.same_call(call, app_call, t_imports,
                           report=lambda message: self.errors.append(f"{where}, line {node.lineno}, {construct_id}: {message}"))
            if isinstance(target, ast.Name) and app_target is not None:
                self.bindings[target.id] = ast.unparse(app_target)
        return statements


def main(tablet_path, readme_path, app_path):
    snippets = opening_snippets(tablet_path, first_section_line(readme_path))
    if not snippets:
        raise SystemExit(f"{tablet_path} holds no snippet of the README's opening (lines before the first '## ')")
    with open(app_path, encoding="utf-8") as f:
        checker = Checker(f.read())
    statements = 0
    for snippet in snippets:
        where = f"README line {snippet['location']['field']['line']} (Python translation)"
        if not snippet.get("didCompile"):
            checker.errors.append(f"{where}: the TypeScript snippet did not compile")
        statements += checker.check(snippet["translations"]["python"]["source"], where)
    for error in checker.errors:
        print(error)
    print(f"README opening example, Python translation: {len(snippets)} snippets, {statements} statements, "
          f"{'all in' if not checker.errors else f'{len(checker.errors)} differences from'} {app_path}")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
