using System.Globalization;

namespace Milestones.Benchmarks;

/// <summary>The repetitions of one figure: reported as the median with the spread (min–max).</summary>
public sealed class Figure(string unit, string format = "N0")
{
    readonly List<double> values = [];

    public string Unit { get; } = unit;
    public IReadOnlyList<double> Values => values;
    public bool IsEmpty => values.Count == 0;

    public void Add(double value) => values.Add(value);

    public double Median => Percentile(values, 0.5);
    public double Min => values.Min();
    public double Max => values.Max();

    public string Format(double value) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"12 345 (11 900–12 800)"; one repetition shows no spread.</summary>
    public override string ToString() => IsEmpty
        ? "–"
        : values.Count == 1
            ? Format(Median)
            : $"{Format(Median)} ({Format(Min)}–{Format(Max)})";

    /// <summary>Nearest-rank percentile of unsorted values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        if (p == 0.5 && sorted.Length % 2 == 0)
        {
            return (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>The ratio of two figures' medians; the spread is over the repetitions paired in order (rep i with rep i).</summary>
public static class Ratio
{
    public static string Of(Figure numerator, Figure denominator)
    {
        ArgumentNullException.ThrowIfNull(numerator);
        ArgumentNullException.ThrowIfNull(denominator);
        if (numerator.IsEmpty || denominator.IsEmpty)
        {
            return "–";
        }
        var median = numerator.Median / denominator.Median;
        var n = Math.Min(numerator.Values.Count, denominator.Values.Count);
        if (n < 2)
        {
            return median.ToString("0.00", CultureInfo.InvariantCulture);
        }
        var paired = Enumerable.Range(0, n).Select(i => numerator.Values[i] / denominator.Values[i]).ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"{median:0.00} ({paired.Min():0.00}–{paired.Max():0.00})");
    }
}

/// <summary>One process's CPU over a measured window, per repetition: µs per message and % of one core.</summary>
public sealed class CpuShare
{
    public Figure PerMessage { get; } = new("µs", "0");
    public Figure OfACore { get; } = new("%", "0");
    public bool IsEmpty => PerMessage.IsEmpty;

    public void Add(TimeSpan cpu, long messages, double seconds)
    {
        PerMessage.Add(cpu.TotalMicroseconds / messages);
        OfACore.Add(100 * cpu.TotalSeconds / seconds);
    }
}
