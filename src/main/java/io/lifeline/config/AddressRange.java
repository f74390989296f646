package io.lifeline.config;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/**
 * An address, or a range of them in CIDR notation (RFC 4632; RFC 4291, 2.3): {@code 10.0.0.0/8},
 * {@code fd00::/8}, {@code 192.0.2.7}. An IPv4 address never falls in an IPv6 range, nor the reverse.
 *
 * @param network the range's first address
 * @param bits    how many leading bits an address must share with it
 */
public record AddressRange(InetAddress network, int bits) {

    /**
     * @throws IllegalArgumentException for anything but an address literal with an optional prefix length; its
     *                                  message says what is wrong, as a predicate ("is not an address ...")
     */
    public static AddressRange parse(String text) {
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        if (!InetAddresses.isInetAddress(literal)) {
            throw new IllegalArgumentException("is not an address or a range such as 10.0.0.0/8");
        }
        InetAddress address = InetAddresses.forString(literal);
        int max = address.getAddress().length * 8;
        int bits;
        try {
            bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("has a prefix length that is not 0 to " + max);
        }
        return new AddressRange(address, bits);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    @Override
    public String toString() {
        return InetAddresses.toAddrString(network) + "/" + bits;
    }
}
