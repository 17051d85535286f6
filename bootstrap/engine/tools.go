//go:build tools

// Package tools pins the main packages of the Pulumi CLI and of its Python language host, so that go.mod and
// go.sum record every module the two binaries are built from.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
