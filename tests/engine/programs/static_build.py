"""Two `build:StaticBuild`s of the stand-in web app, for the engine: a chat theme and the admin dashboard.

Config (namespace `staticbuild`): `root` (the project holding examples/product/web), `apiUrl`, `counter` (a
file each build command appends its app's name to, so a test can count the builds that really ran) and
`apps` (app name -> variant, "" for none).
"""

from pathlib import Path

import pulumi

from providers.build.static_build import StaticBuild, StaticBuildArgs, source_digest

SOURCE = "examples/product/web"
OUTPUT = "dist"

config = pulumi.Config("staticbuild")
root = config.require("root")
digest = source_digest(Path(root) / SOURCE, OUTPUT)

for app, variant in config.require_object("apps").items():
    values = {"VITE_API_URL": config.require("apiUrl"), "VITE_ENVIRONMENT": pulumi.get_stack()}
    if variant:
        values["VITE_VARIANT"] = variant
    build = StaticBuild(app, StaticBuildArgs(
        app=app, source=SOURCE, root=root, output_directory=OUTPUT, env=values, source_digest=digest,
        build_command=f'echo {app} >> "{config.require("counter")}" && npm run build',
    ))
    pulumi.export(app, {"dir": build.artifact_dir, "digest": build.artifact_digest, "files": build.file_count})
