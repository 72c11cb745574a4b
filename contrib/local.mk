# Nothing here is built by default.
EXTRA_DIST += contrib/install-deps contrib/bench contrib/update-lists.sh \
	contrib/demo
