// Package action holds the GitHub Action's install script (install.sh) and the tests that run it against a local release server.
package action
