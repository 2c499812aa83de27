"""The site build falls back to CDNs, with a message, when the npm assets are missing."""

import yaml

from conftest import load_script

build_site = load_script("build_site")


def test_cdn_config_drops_only_the_vendored_asset_settings():
    config = yaml.safe_load(build_site.cdn_config().read_text())
    sphinx_config = config["sphinx"]["config"]
    assert "mathjax_path" not in sphinx_config and "nb_ipywidgets_js" not in sphinx_config
    assert config["execute"]["execute_notebooks"] == "off"
    assert sphinx_config["nb_mime_priority_overrides"], "the explorer's website twin must still outrank the widget"
    for folder in config["sphinx"]["local_extensions"].values():
        assert (build_site.ROOT / folder).is_dir(), f"local extension folder {folder} not found from the copied config"
