"""schemathesis (a tool nobody here wrote) against the served /openapi, seeded and bounded."""

import os
import pathlib
import subprocess
import sys

URL = os.environ["SKIFF_URL"]
HERE = pathlib.Path(__file__).parent


def test_schemathesis_finds_no_server_error_no_bad_response_and_no_unsaid_rule(tmp_path):
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks", PYTHONPATH=str(HERE))
    run = subprocess.run(
        [
            str(pathlib.Path(sys.executable).with_name("schemathesis")),
            "run",
            URL + "/openapi",
            "--mode=positive",
            "--phases=examples,coverage,fuzzing",
            "--max-examples=10",
            "--seed=3",
            "--checks=not_a_server_error,status_code_conformance,"
            "response_schema_conformance,accepted_unless_unsayable",
            "--no-color",
        ],
        env=env,
        cwd=tmp_path,  # schemathesis keeps its example database under the working directory
        capture_output=True,
        text=True,
        timeout=240,
    )
    print(run.stdout, run.stderr)  # pytest shows it in full under "Captured stdout" on failure
    assert run.returncode == 0, "schemathesis found failures: see the captured stdout"
