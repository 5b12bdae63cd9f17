"""Write each of a page's scripts once.

Sphinx 7.4 copies the inline scripts that extensions add after the builder
has started (sphinx-thebe's configuration, sphinx-togglebutton's selector)
into every page twice: once as added, once again when it prepares writing.
A second ``const THEBE_JS_URL = ...`` is a JavaScript error ("Identifier
'THEBE_JS_URL' has already been declared") on every page of the book.
This extension keeps the first of each identical script.
"""


def _keep_first_of_each_script(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = (
            str(script.filename or ""),
            script.priority,
            tuple(sorted(script.attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _keep_first_of_each_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
