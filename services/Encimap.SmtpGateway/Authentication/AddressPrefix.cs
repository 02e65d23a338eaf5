using System.Net;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// Whether an address lies in a network given as any address of it and a prefix length (SPF's
/// "ip4:192.0.2.1/24" names the network by a host address, which <see cref="IPNetwork"/> refuses).
/// </summary>
public static class AddressPrefix
{
    public static bool Contains(IPAddress network, int prefixLength, IPAddress address)
    {
        if (network.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        var a = network.GetAddressBytes();
        var b = address.GetAddressBytes();
        var bits = Math.Clamp(prefixLength, 0, a.Length * 8);
        for (var i = 0; bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
