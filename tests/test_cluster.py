"""The cluster check's moving parts that need no servers: nginx's generated configuration and
the admin form a trainer's browser would submit (`make cluster` itself is a script)."""

import shutil
import subprocess

import pytest

from bench.cluster import FormFields
from bench.nginx import NGINX, config


def test_nginx_config_sends_requests_to_every_app_server_and_retries_idempotent_ones(tmp_path):
    text = config(tmp_path, [8902, 8903], listen_port=8901, media_root=tmp_path / "media")

    assert "server 127.0.0.1:8902 max_fails=1" in text
    assert "server 127.0.0.1:8903 max_fails=1" in text
    assert "listen 127.0.0.1:8901;" in text
    assert "proxy_next_upstream error timeout http_502 http_503 http_504;" in text
    assert "proxy_next_upstream_tries 2;" in text
    # A POST is never sent twice: nginx retries one only when told `non_idempotent`.
    assert "non_idempotent" not in text
    # docs/deployment.md's example: the login limit and the proxy headers Django relies on.
    assert "limit_req zone=forge_login burst=5 nodelay;" in text
    assert text.count("proxy_set_header X-Forwarded-Proto https;") == 2
    assert f"alias {tmp_path / 'media'}/;" in text
    assert str(tmp_path / "nginx.pid") in text


@pytest.mark.skipif(not shutil.which(NGINX), reason="Debian's nginx is not installed")
def test_nginx_accepts_the_generated_config(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(config(tmp_path, [8902], listen_port=8901, media_root=tmp_path))
    test = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert test.returncode == 0, test.stderr


def test_form_fields_are_what_a_browser_submits():
    form = FormFields()
    form.feed(
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="t">'
        '<input name="name" value="Row"><input type="checkbox" name="off">'
        '<input type="checkbox" name="on" checked><input type="submit" name="_save">'
        '<textarea name="quick_answer">\nPull.</textarea>'
        '<select name="equipment" multiple><option value="1" selected>Bar</option>'
        '<option value="2">Band</option><option value="3" selected>Mat</option></select></form>'
    )

    assert form.fields == [
        ["csrfmiddlewaretoken", "t"],
        ["name", "Row"],
        ["on", "on"],
        ["quick_answer", "Pull."],
        ["equipment", "1"],
        ["equipment", "3"],
    ]
