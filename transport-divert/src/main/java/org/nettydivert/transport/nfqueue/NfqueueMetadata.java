/*
 * Copyright 2026 The netty-divert Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *   https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.nettydivert.transport.nfqueue;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.nettydivert.transport.PacketMetadata;
import org.nettydivert.transport.spi.DeferredMetadata;
import org.nettydivert.transport.unix.InterfaceNames;

/**
 * The {@link PacketMetadata} of one packet read from NFQUEUE: the numbers {@link
 * NfqueueMessages.PacketView} read, copied into one object, so that the receive buffer is free
 * for the next read. Names and strings are made only when asked for; device names come from the
 * socket's {@link InterfaceNames} cache.
 */
class NfqueueMetadata implements PacketMetadata {
    private InterfaceNames interfaces;
    private int hook;
    private int inIndex;
    private int outIndex;
    private int physInIndex;
    private int physOutIndex;
    private int hwAddressLength;
    private long hwAddress;
    private long timestampMicros;
    private int priority;
    private int vlanTci;
    private int vlanProto;
    private long uid;
    private long gid;
    private int ctInfo;
    private long ctId;
    private int ctMark;
    private int ctStatus;
    /** Only with NFQA_CFG_F_SECCTX, which the channel asked for: decoded then, the buffer being reused. */
    private String securityContext;

    /** The metadata of one packet, in an object of its own. */
    NfqueueMetadata(NfqueueMessages.PacketView p, ByteBuf buf, InterfaceNames interfaces) {
        fill(p, buf, interfaces);
    }

    private NfqueueMetadata() {}

    private NfqueueMetadata(NfqueueMetadata m) {
        interfaces = m.interfaces;
        hook = m.hook;
        inIndex = m.inIndex;
        outIndex = m.outIndex;
        physInIndex = m.physInIndex;
        physOutIndex = m.physOutIndex;
        hwAddressLength = m.hwAddressLength;
        hwAddress = m.hwAddress;
        timestampMicros = m.timestampMicros;
        priority = m.priority;
        vlanTci = m.vlanTci;
        vlanProto = m.vlanProto;
        uid = m.uid;
        gid = m.gid;
        ctInfo = m.ctInfo;
        ctId = m.ctId;
        ctMark = m.ctMark;
        ctStatus = m.ctStatus;
        securityContext = m.securityContext;
    }

    /** Every field, from the packet message {@code p} read in {@code buf}: nothing of an earlier packet stays. */
    void fill(NfqueueMessages.PacketView p, ByteBuf buf, InterfaceNames interfaces) {
        this.interfaces = interfaces;
        hook = p.hook;
        inIndex = p.inIndex;
        outIndex = p.outIndex;
        physInIndex = p.physInIndex;
        physOutIndex = p.physOutIndex;
        hwAddressLength = p.hwAddressLength;
        hwAddress = p.hwAddress;
        timestampMicros = p.timestampMicros;
        priority = p.priority;
        vlanTci = p.vlanTci;
        vlanProto = p.vlanProto;
        uid = p.uid;
        gid = p.gid;
        ctInfo = p.ctInfo;
        ctId = p.ctId;
        ctMark = p.ctMark;
        ctStatus = p.ctStatus;
        securityContext = p.secctx < 0 ? null : buf.toString(p.secctx, p.secctxLength, StandardCharsets.UTF_8);
    }

    /**
     * The metadata object of a pooled {@link VerdictBuf}, filled again for each of its packets;
     * a packet's {@code metadata()} copies it the first time it is asked (while the packet is
     * owned), so a pass-through that never asks costs no object.
     */
    static final class Reused extends NfqueueMetadata implements DeferredMetadata {
        @Override
        public PacketMetadata snapshot() {
            return new NfqueueMetadata(this);
        }
    }

    @Override
    public Hook hook() {
        return Hook.of(hook);
    }

    @Override
    public int inInterfaceIndex() {
        return inIndex;
    }

    @Override
    public int outInterfaceIndex() {
        return outIndex;
    }

    @Override
    public String inInterface() {
        return name(inIndex);
    }

    @Override
    public String outInterface() {
        return name(outIndex);
    }

    private String name(int index) {
        InterfaceNames.Interface iface = interfaces.lookup(index, System.nanoTime());
        return iface == null ? null : iface.name;
    }

    @Override
    public int physInInterfaceIndex() {
        return physInIndex;
    }

    @Override
    public int physOutInterfaceIndex() {
        return physOutIndex;
    }

    @Override
    public byte[] hardwareAddress() {
        if (hwAddressLength == 0) {
            return null;
        }
        byte[] address = new byte[hwAddressLength];
        for (int i = 0; i < address.length; i++) {
            address[i] = (byte) (hwAddress >>> (56 - 8 * i));
        }
        return address;
    }

    @Override
    public boolean hasTimestamp() {
        return timestampMicros >= 0;
    }

    @Override
    public long timestampMicros() {
        return timestampMicros;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public int vlanTci() {
        return vlanTci;
    }

    @Override
    public int vlanProtocol() {
        return vlanProto;
    }

    @Override
    public long uid() {
        return uid;
    }

    @Override
    public long gid() {
        return gid;
    }

    @Override
    public ConntrackState conntrackState() {
        return ConntrackState.of(ctInfo);
    }

    @Override
    public long conntrackId() {
        return ctId;
    }

    @Override
    public int conntrackMark() {
        return ctMark;
    }

    @Override
    public int conntrackStatus() {
        return ctStatus;
    }

    @Override
    public String securityContext() {
        return securityContext;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("PacketMetadata(").append(hook());
        if (inIndex != 0) {
            b.append(", in ").append(inIndex);
        }
        if (outIndex != 0) {
            b.append(", out ").append(outIndex);
        }
        if (uid >= 0) {
            b.append(", uid ").append(uid).append(" gid ").append(gid);
        }
        if (ctInfo >= 0) {
            b.append(", ")
                    .append(
                            conntrackState() == null
                                    ? "ctinfo " + ctInfo
                                    : conntrackState().kernelName());
        }
        return b.append(')').toString();
    }
}
