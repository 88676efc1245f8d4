using System.Security.Cryptography;
using System.Text;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;

namespace Cop.Trading.Tests;

/// <summary>The signature is SHA-256 of the canonical text the README documents, byte for byte.</summary>
public class BacktestSignatureTests
{
    private static readonly DateTime T = new(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_canonical_text_is_the_documented_one_and_the_signature_its_sha256()
    {
        PaperFill[] fills = [new(T, 0, 0, 1, 4000, 4000.8, 0.8), new(T.AddMinutes(10), 2, 1, -1, 4001.25, 4000.44975, 1.6)];
        EquityPoint[] curve = [new(T, 9999.2, 1), new(T.AddMinutes(5), 10_000, 1), new(T.AddMinutes(10), 9998.400000000001, -1)];   // 16 digits: the shortest that round-trips

        const string expected = "cop-backtest-v1\ntrades 2\n"
            + "2024-07-02T13:00:00Z,0,0,1,4000,4000.8\n2024-07-02T13:10:00Z,2,1,-1,4001.25,4000.44975\n"
            + "equity 3\n2024-07-02T13:00:00Z,9999.2,1\n2024-07-02T13:05:00Z,10000,1\n2024-07-02T13:10:00Z,9998.400000000001,-1\n";
        Assert.Equal(expected, BacktestSignature.Canonical(fills, curve));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expected))), BacktestSignature.Of(fills, curve));

        // Any change of a fill or an equity point changes it.
        Assert.NotEqual(BacktestSignature.Of(fills, curve), BacktestSignature.Of(fills, [.. curve[..2], curve[2] with { Equity = 9998.4 }]));
        Assert.NotEqual(BacktestSignature.Of(fills, curve), BacktestSignature.Of(fills[..1], curve));
    }

    [Fact]
    public void Numbers_are_the_shortest_round_trip_without_an_exponent()
    {
        Assert.Equal("0.00001", BacktestSignature.Number(1e-5));
        Assert.Equal("-12.5", BacktestSignature.Number(-12.5));
        Assert.Equal("0.1", BacktestSignature.Number(0.1));
        Assert.Equal("1234567.891", BacktestSignature.Number(1234567.891));
        Assert.Throws<ArgumentException>(() => BacktestSignature.Number(double.NaN));
    }
}
