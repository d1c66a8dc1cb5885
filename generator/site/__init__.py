"""The site: URLs, views, page bodies and templates, press sentences, search entries, images, downloads."""
