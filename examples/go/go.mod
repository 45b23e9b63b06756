module example.com/semantic-search

go 1.25.0

require (
	// The aws-cdk-lib this repository builds and tests with (package.json devDependencies), the
	// lowest the library accepts. The Go bindings of aws-cdk-lib before 2.239.0 were generated
	// against constructs v10.4, and with constructs v10.5 (which cdk-opensearch-ml and cdk-nag
	// need) their Cfn* types do not compile ("ambiguous selector ... With").
	github.com/aws/aws-cdk-go/awscdk/v2 v2.240.0
	github.com/aws/constructs-go/constructs/v10 v10.5.1
	github.com/aws/jsii-runtime-go v1.140.0
	// The module `npx projen package:go` builds into dist/go (see the replace directive below).
	github.com/cdk-opensearch-ml/cdk-opensearch-ml-go/cdkopensearchml v0.0.0
	github.com/cdklabs/cdk-nag-go/cdknag/v2 v2.38.2
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.275 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v50 v50.4.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The package just built, not the published module; drop this line to use the published one.
replace github.com/cdk-opensearch-ml/cdk-opensearch-ml-go/cdkopensearchml => ../../dist/go/cdkopensearchml
