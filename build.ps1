#!/usr/bin/env pwsh
# Cop build entry point.   dotnet tool restore; dotnet pwsh ./build.ps1 [demo|test|bench|ci]
#   demo  (default) the main job: embedded PostgreSQL, migrations, the bundled bars replayed
#   test  every test, on real PostgreSQL and Redis started by the tests themselves
#   bench the benchmarks (figures go to BENCHMARKS.md by hand, with the machine)
#   ci    prerequisites + build + test (what .ci/run calls through the README's command)
param(
    [Parameter(Position = 0)][ValidateSet('demo', 'test', 'bench', 'ci')][string]$Target = 'demo',
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest
)
$ErrorActionPreference = 'Stop'
$Extra = @($Rest | Where-Object { $_ })
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Test-Root { (& id -u) -eq '0' }

# PostgreSQL server binaries and redis-server come from Debian's packages. As root we install
# what is missing; otherwise we say exactly what to install.
function Initialize-Prerequisites {
    $missing = @()
    $pgFound = $env:COP_PG_BIN -or (Get-ChildItem '/usr/lib/postgresql/*/bin/pg_ctl' -ErrorAction SilentlyContinue)
    if (-not $pgFound -and -not $env:COP_DATABASE_URL) { $missing += 'postgresql' }
    if (-not (Test-Path '/usr/bin/redis-server') -and -not $env:COP_REDIS) { $missing += 'redis-server' }
    # The web UI's charting library comes from npm (Initialize-WebClient); its browser tests drive
    # Debian's chromium through Playwright (Playwright's own browser download does not work here).
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { $missing += 'npm' }
    if ($Target -in 'test', 'ci' -and -not (Test-Path '/usr/bin/chromium')) { $missing += 'chromium' }
    # promtool and prometheus (ops/prometheus: rules checked, unit-tested, evaluated by a real Prometheus).
    if (-not (Test-Path '/usr/bin/promtool')) { $missing += 'prometheus' }
    # pgbouncer: the pooled-connection path is tested through it (transaction mode).
    if (-not (Test-Path '/usr/sbin/pgbouncer')) { $missing += 'pgbouncer' }
    if ($missing.Count -gt 0) {
        if (Test-Root) {
            Write-Host "Installing $($missing -join ', ') from Debian's packages..."
            & apt-get update -qq
            if ($LASTEXITCODE -ne 0) { throw 'apt-get update failed' }
            $env:DEBIAN_FRONTEND = 'noninteractive'
            & apt-get install -y -qq @missing
            if ($LASTEXITCODE -ne 0) { throw "apt-get install $($missing -join ' ') failed" }
            # Debian's package starts a cluster and a redis of its own; Cop runs private ones.
            & service postgresql stop 2>$null; & service redis-server stop 2>$null
            & service prometheus stop 2>$null; & service pgbouncer stop 2>$null
        } else {
            throw "Missing: $($missing -join ', '). Install with: sudo apt-get install -y $($missing -join ' ') (or set COP_DATABASE_URL / COP_REDIS)."
        }
    }
    if ((Test-Root) -and -not (& getent passwd postgres)) {
        # postgres refuses to run as root: the embedded cluster runs as this user.
        & useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    }
}

# The tests' S3-protocol server (npm's s3rver, pinned) in a folder of the checkout, never global:
# a fresh machine gets it from the npm registry on the first test run (npm from Initialize-Prerequisites).
$S3rverVersion = '3.7.1'
function Initialize-TestPrerequisites {
    $s3rver = Join-Path $PSScriptRoot '.cop/npm/node_modules/s3rver/package.json'
    if ((Test-Path $s3rver) -and ((Get-Content $s3rver -Raw | ConvertFrom-Json).version -eq $S3rverVersion)) { return }
    Write-Host "Installing s3rver $S3rverVersion into .cop/npm (the S3 object store's tests)..."
    & npm install --prefix (Join-Path $PSScriptRoot '.cop/npm') --no-audit --no-fund --loglevel=error "s3rver@$S3rverVersion"
    if ($LASTEXITCODE -ne 0) { throw "npm install s3rver@$S3rverVersion failed" }
}

# uPlot for the web UI, into host/Web/client/node_modules (under the checkout, never global), when
# missing; the host's build copies it next to the binary (and runs the same install for `dotnet run`).
function Initialize-WebClient {
    $client = Join-Path $PSScriptRoot 'host/Web/client'
    if (Test-Path (Join-Path $client 'node_modules/uplot/dist/uPlot.esm.js')) { return }
    Write-Host 'Installing the web UI''s charting library from npm (host/Web/client)...'
    Push-Location $client
    try {
        & npm install --no-audit --no-fund --loglevel=error
        if ($LASTEXITCODE -ne 0) { throw 'npm install in host/Web/client failed' }
    } finally { Pop-Location }
}

function Invoke-Dotnet([string[]]$Arguments) {
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Tests {
    Initialize-Prerequisites
    Initialize-TestPrerequisites
    Initialize-WebClient
    Invoke-Dotnet @('build', 'Cop.Actors.sln', '-c', 'Release', '--nologo', '-v', 'q')
    $results = Join-Path $PSScriptRoot 'TestResults'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    # The pure domain's tests first (seconds, no servers), then everything on real PostgreSQL/Redis.
    $code = 0
    foreach ($project in @('tests/Cop.Trading.Tests/Cop.Trading.Tests.csproj', 'tests/Cop.Tests.csproj')) {
        $name = [IO.Path]::GetFileNameWithoutExtension($project)
        & dotnet test $project -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory $results @Extra
        if ($LASTEXITCODE -ne 0) { $code = $LASTEXITCODE }
    }
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem $results -Filter '*.trx' -ErrorAction SilentlyContinue) {
        [xml]$x = Get-Content $trx.FullName
        $c = $x.TestRun.ResultSummary.Counters
        $passed += [int]$c.passed; $failed += [int]$c.failed; $skipped += [int]$c.notExecuted
    }
    # The plain closing line CI reads.
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($code -ne 0) { exit $code }
}

switch ($Target) {
    'demo' {
        Initialize-Prerequisites
        Initialize-WebClient
        Invoke-Dotnet (@('run', '--project', 'host', '-c', 'Release', '--', 'demo') + $Extra)
    }
    'bench' {
        Initialize-Prerequisites
        Invoke-Dotnet (@('run', '--project', 'tests/Cop.Bench', '-c', 'Release', '--') + $Extra)
    }
    'test' { Invoke-Tests }
    'ci' { Invoke-Tests }
}
