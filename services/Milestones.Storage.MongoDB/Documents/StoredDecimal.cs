using System.Globalization;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// Decimals (progress values, targets) are stored as their invariant text (<c>"120.50"</c>): exact to the last digit and
/// the scale on every server that speaks the protocol. A BSON double would round them, and <c>Decimal128</c> is not
/// documented by every compatible service.
/// </summary>
static class StoredDecimal
{
    public static string Write(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal Read(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
