"""Swagger UI at /docs, opened in headless Chromium by Selenium (neither written here).

OpenApiFuzzIT starts the runtime and runs this file with SKIFF_URL, SKIFF_CHROMIUM and
SKIFF_CHROMEDRIVER in the environment. Every asset comes from the runtime itself: the browser is
told to resolve every other host to nothing, so a CDN reference would show as a console error.
"""

import json
import os
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["SKIFF_URL"]
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations():
    with urllib.request.urlopen(URL + "/openapi") as response:
        document = json.load(response)
    return sum(1 for item in document["paths"].values() for method in item if method in METHODS)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ["SKIFF_CHROMIUM"]
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(os.environ["SKIFF_CHROMEDRIVER"]))


def test_swagger_ui_shows_and_expands_every_operation():
    want = operations()
    driver = browser()
    try:
        driver.get(URL + "/docs/index.html")
        wait = WebDriverWait(driver, 30)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary")))
        assert "Skiff" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
        blocks = driver.find_elements(By.CSS_SELECTOR, ".opblock")
        assert len(blocks) == want, f"Swagger UI shows {len(blocks)} operations, /openapi has {want}"
        for block in blocks:
            summary = block.find_element(By.CSS_SELECTOR, ".opblock-summary")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
            summary.click()
            WebDriverWait(block, 10).until(
                lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-body"),
                f"no body under {summary.text!r}",
            )
        opened = driver.find_elements(By.CSS_SELECTOR, ".opblock.is-open .opblock-body")
        assert len(opened) == want
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        driver.quit()
