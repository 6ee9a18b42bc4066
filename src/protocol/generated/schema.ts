/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ErrorCode {
  ERROR_CODE_UNSPECIFIED = 'ERROR_CODE_UNSPECIFIED',
  MALFORMED = 'MALFORMED',
  OVERSIZED = 'OVERSIZED',
  UNEXPECTED = 'UNEXPECTED',
  TIMEOUT = 'TIMEOUT',
  CLOSED = 'CLOSED',
  ABORTED = 'ABORTED',
  PARAMETERS = 'PARAMETERS',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  REFUSED = 'REFUSED',
  INTERNAL = 'INTERNAL',
  UNAVAILABLE = 'UNAVAILABLE'
}

enum __ErrorCodeValues {
  ERROR_CODE_UNSPECIFIED = 0,
  MALFORMED = 1,
  OVERSIZED = 2,
  UNEXPECTED = 3,
  TIMEOUT = 4,
  CLOSED = 5,
  ABORTED = 6,
  PARAMETERS = 7,
  OUT_OF_RANGE = 8,
  REFUSED = 9,
  INTERNAL = 10,
  UNAVAILABLE = 11
}

export namespace ErrorCode {
  export const codec = (): Codec<ErrorCode> => {
    return enumeration<ErrorCode>(__ErrorCodeValues)
  }
}

export interface ErrorReply {
  code: ErrorCode
  message: string
}

export namespace ErrorReply {
  let _codec: Codec<ErrorReply>

  export const codec = (): Codec<ErrorReply> => {
    if (_codec == null) {
      _codec = message<ErrorReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.ERROR_CODE_UNSPECIFIED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ErrorReplyCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface ErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): ErrorReply {
    return decodeMessage(buf, ErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): Generator<ErrorReplyCodeFieldEvent | ErrorReplyMessageFieldEvent> {
    return streamMessage(buf, ErrorReply.codec(), opts)
  }
}

export interface PublicKey {
  x: Uint8Array<ArrayBuffer>
  y: Uint8Array<ArrayBuffer>
}

export namespace PublicKey {
  let _codec: Codec<PublicKey>

  export const codec = (): Codec<PublicKey> => {
    if (_codec == null) {
      _codec = message<PublicKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.x != null && obj.x.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.x)
        }

        if ((obj.y != null && obj.y.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.y)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          x: uint8ArrayAlloc(0),
          y: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.x = reader.bytes()
              break
            }
            case 2: {
              obj.y = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.x`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.y`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PublicKeyXFieldEvent {
    field: '$.x'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicKeyYFieldEvent {
    field: '$.y'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PublicKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PublicKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublicKey>): PublicKey {
    return decodeMessage(buf, PublicKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublicKey>): Generator<PublicKeyXFieldEvent | PublicKeyYFieldEvent> {
    return streamMessage(buf, PublicKey.codec(), opts)
  }
}

export interface SignupRequest {
  publicKey?: PublicKey
}

export namespace SignupRequest {
  let _codec: Codec<SignupRequest>

  export const codec = (): Codec<SignupRequest> => {
    if (_codec == null) {
      _codec = message<SignupRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.publicKey != null) {
          w.uint32(10)
          PublicKey.codec().encode(obj.publicKey, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.publicKey = PublicKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.publicKey
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PublicKey.codec().stream(reader, reader.uint32(), `${prefix}.publicKey`, {
                limits: opts.limits?.publicKey
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignupRequestPublicKeyXFieldEvent {
    field: '$.publicKey.x'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignupRequestPublicKeyYFieldEvent {
    field: '$.publicKey.y'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignupRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignupRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignupRequest>): SignupRequest {
    return decodeMessage(buf, SignupRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignupRequest>): Generator<SignupRequestPublicKeyXFieldEvent | SignupRequestPublicKeyYFieldEvent> {
    return streamMessage(buf, SignupRequest.codec(), opts)
  }
}

export interface SignupResponse {
  stateIndex: number
}

export namespace SignupResponse {
  let _codec: Codec<SignupResponse>

  export const codec = (): Codec<SignupResponse> => {
    if (_codec == null) {
      _codec = message<SignupResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.stateIndex != null && obj.stateIndex !== 0)) {
          w.uint32(8)
          w.uint32(obj.stateIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          stateIndex: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.stateIndex = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.stateIndex`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignupResponseStateIndexFieldEvent {
    field: '$.stateIndex'
    value: number
  }

  export function encode (obj: Partial<SignupResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignupResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignupResponse>): SignupResponse {
    return decodeMessage(buf, SignupResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignupResponse>): Generator<SignupResponseStateIndexFieldEvent> {
    return streamMessage(buf, SignupResponse.codec(), opts)
  }
}

export enum MessageKind {
  MESSAGE_KIND_UNSPECIFIED = 'MESSAGE_KIND_UNSPECIFIED',
  DEACTIVATE = 'DEACTIVATE',
  VOTE = 'VOTE'
}

enum __MessageKindValues {
  MESSAGE_KIND_UNSPECIFIED = 0,
  DEACTIVATE = 1,
  VOTE = 2
}

export namespace MessageKind {
  export const codec = (): Codec<MessageKind> => {
    return enumeration<MessageKind>(__MessageKindValues)
  }
}

export interface MessageRequest {
  kind: MessageKind
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace MessageRequest {
  let _codec: Codec<MessageRequest>

  export const codec = (): Codec<MessageRequest> => {
    if (_codec == null) {
      _codec = message<MessageRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __MessageKindValues[obj.kind] !== 0) {
          w.uint32(8)
          MessageKind.codec().encode(obj.kind, w)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: MessageKind.MESSAGE_KIND_UNSPECIFIED,
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = MessageKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.ciphertext = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: MessageKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MessageRequestKindFieldEvent {
    field: '$.kind'
    value: MessageKind
  }

  export interface MessageRequestCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MessageRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MessageRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageRequest>): MessageRequest {
    return decodeMessage(buf, MessageRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageRequest>): Generator<MessageRequestKindFieldEvent | MessageRequestCiphertextFieldEvent> {
    return streamMessage(buf, MessageRequest.codec(), opts)
  }
}

export interface MessageResponse {
  index: number
  leaf: Uint8Array<ArrayBuffer>
  root: Uint8Array<ArrayBuffer>
}

export namespace MessageResponse {
  let _codec: Codec<MessageResponse>

  export const codec = (): Codec<MessageResponse> => {
    if (_codec == null) {
      _codec = message<MessageResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.leaf != null && obj.leaf.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.leaf)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.root)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          leaf: uint8ArrayAlloc(0),
          root: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.leaf = reader.bytes()
              break
            }
            case 3: {
              obj.root = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.leaf`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MessageResponseIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface MessageResponseLeafFieldEvent {
    field: '$.leaf'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MessageResponseRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MessageResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MessageResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageResponse>): MessageResponse {
    return decodeMessage(buf, MessageResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageResponse>): Generator<MessageResponseIndexFieldEvent | MessageResponseLeafFieldEvent | MessageResponseRootFieldEvent> {
    return streamMessage(buf, MessageResponse.codec(), opts)
  }
}

export interface PublicParameters {
  operatorPublicKey?: PublicKey
  keyCommitment: Uint8Array<ArrayBuffer>
  depth: number
  membershipVkeyHash: string
  leafOpeningVkeyHash: string
  voteOptions: number
}

export namespace PublicParameters {
  let _codec: Codec<PublicParameters>

  export const codec = (): Codec<PublicParameters> => {
    if (_codec == null) {
      _codec = message<PublicParameters>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.operatorPublicKey != null) {
          w.uint32(10)
          PublicKey.codec().encode(obj.operatorPublicKey, w)
        }

        if ((obj.keyCommitment != null && obj.keyCommitment.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.keyCommitment)
        }

        if ((obj.depth != null && obj.depth !== 0)) {
          w.uint32(24)
          w.uint32(obj.depth)
        }

        if ((obj.membershipVkeyHash != null && obj.membershipVkeyHash !== '')) {
          w.uint32(34)
          w.string(obj.membershipVkeyHash)
        }

        if ((obj.leafOpeningVkeyHash != null && obj.leafOpeningVkeyHash !== '')) {
          w.uint32(42)
          w.string(obj.leafOpeningVkeyHash)
        }

        if ((obj.voteOptions != null && obj.voteOptions !== 0)) {
          w.uint32(48)
          w.uint32(obj.voteOptions)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keyCommitment: uint8ArrayAlloc(0),
          depth: 0,
          membershipVkeyHash: '',
          leafOpeningVkeyHash: '',
          voteOptions: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.operatorPublicKey = PublicKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.operatorPublicKey
              })
              break
            }
            case 2: {
              obj.keyCommitment = reader.bytes()
              break
            }
            case 3: {
              obj.depth = reader.uint32()
              break
            }
            case 4: {
              obj.membershipVkeyHash = reader.string()
              break
            }
            case 5: {
              obj.leafOpeningVkeyHash = reader.string()
              break
            }
            case 6: {
              obj.voteOptions = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PublicKey.codec().stream(reader, reader.uint32(), `${prefix}.operatorPublicKey`, {
                limits: opts.limits?.operatorPublicKey
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.keyCommitment`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.depth`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.membershipVkeyHash`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.leafOpeningVkeyHash`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.voteOptions`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PublicParametersOperatorPublicKeyXFieldEvent {
    field: '$.operatorPublicKey.x'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicParametersOperatorPublicKeyYFieldEvent {
    field: '$.operatorPublicKey.y'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicParametersKeyCommitmentFieldEvent {
    field: '$.keyCommitment'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicParametersDepthFieldEvent {
    field: '$.depth'
    value: number
  }

  export interface PublicParametersMembershipVkeyHashFieldEvent {
    field: '$.membershipVkeyHash'
    value: string
  }

  export interface PublicParametersLeafOpeningVkeyHashFieldEvent {
    field: '$.leafOpeningVkeyHash'
    value: string
  }

  export interface PublicParametersVoteOptionsFieldEvent {
    field: '$.voteOptions'
    value: number
  }

  export function encode (obj: Partial<PublicParameters>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PublicParameters.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublicParameters>): PublicParameters {
    return decodeMessage(buf, PublicParameters.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PublicParameters>): Generator<PublicParametersOperatorPublicKeyXFieldEvent | PublicParametersOperatorPublicKeyYFieldEvent | PublicParametersKeyCommitmentFieldEvent | PublicParametersDepthFieldEvent | PublicParametersMembershipVkeyHashFieldEvent | PublicParametersLeafOpeningVkeyHashFieldEvent | PublicParametersVoteOptionsFieldEvent> {
    return streamMessage(buf, PublicParameters.codec(), opts)
  }
}

export enum SyncQuery {
  SYNC_QUERY_UNSPECIFIED = 'SYNC_QUERY_UNSPECIFIED',
  PARAMETERS = 'PARAMETERS',
  HEAD = 'HEAD',
  LEAVES = 'LEAVES',
  LOG = 'LOG',
  ROOTS = 'ROOTS'
}

enum __SyncQueryValues {
  SYNC_QUERY_UNSPECIFIED = 0,
  PARAMETERS = 1,
  HEAD = 2,
  LEAVES = 3,
  LOG = 4,
  ROOTS = 5
}

export namespace SyncQuery {
  export const codec = (): Codec<SyncQuery> => {
    return enumeration<SyncQuery>(__SyncQueryValues)
  }
}

export interface SyncRequest {
  query: SyncQuery
  from: number
  to: number
}

export namespace SyncRequest {
  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.query != null && __SyncQueryValues[obj.query] !== 0) {
          w.uint32(8)
          SyncQuery.codec().encode(obj.query, w)
        }

        if ((obj.from != null && obj.from !== 0)) {
          w.uint32(16)
          w.uint32(obj.from)
        }

        if ((obj.to != null && obj.to !== 0)) {
          w.uint32(24)
          w.uint32(obj.to)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          query: SyncQuery.SYNC_QUERY_UNSPECIFIED,
          from: 0,
          to: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.query = SyncQuery.codec().decode(reader)
              break
            }
            case 2: {
              obj.from = reader.uint32()
              break
            }
            case 3: {
              obj.to = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.query`,
                value: SyncQuery.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.to`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRequestQueryFieldEvent {
    field: '$.query'
    value: SyncQuery
  }

  export interface SyncRequestFromFieldEvent {
    field: '$.from'
    value: number
  }

  export interface SyncRequestToFieldEvent {
    field: '$.to'
    value: number
  }

  export function encode (obj: Partial<SyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): Generator<SyncRequestQueryFieldEvent | SyncRequestFromFieldEvent | SyncRequestToFieldEvent> {
    return streamMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface SyncHead {
  leaves: number
  log: number
  roots: number
  root: Uint8Array<ArrayBuffer>
}

export namespace SyncHead {
  let _codec: Codec<SyncHead>

  export const codec = (): Codec<SyncHead> => {
    if (_codec == null) {
      _codec = message<SyncHead>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.leaves != null && obj.leaves !== 0)) {
          w.uint32(8)
          w.uint32(obj.leaves)
        }

        if ((obj.log != null && obj.log !== 0)) {
          w.uint32(16)
          w.uint32(obj.log)
        }

        if ((obj.roots != null && obj.roots !== 0)) {
          w.uint32(24)
          w.uint32(obj.roots)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.root)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaves: 0,
          log: 0,
          roots: 0,
          root: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.leaves = reader.uint32()
              break
            }
            case 2: {
              obj.log = reader.uint32()
              break
            }
            case 3: {
              obj.roots = reader.uint32()
              break
            }
            case 4: {
              obj.root = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.leaves`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.log`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.roots`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncHeadLeavesFieldEvent {
    field: '$.leaves'
    value: number
  }

  export interface SyncHeadLogFieldEvent {
    field: '$.log'
    value: number
  }

  export interface SyncHeadRootsFieldEvent {
    field: '$.roots'
    value: number
  }

  export interface SyncHeadRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncHead>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncHead.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHead>): SyncHead {
    return decodeMessage(buf, SyncHead.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHead>): Generator<SyncHeadLeavesFieldEvent | SyncHeadLogFieldEvent | SyncHeadRootsFieldEvent | SyncHeadRootFieldEvent> {
    return streamMessage(buf, SyncHead.codec(), opts)
  }
}

export interface SyncResponse {
  parameters?: PublicParameters
  head?: SyncHead
  from: number
  items: Uint8Array<ArrayBuffer>[]
}

export namespace SyncResponse {
  let _codec: Codec<SyncResponse>

  export const codec = (): Codec<SyncResponse> => {
    if (_codec == null) {
      _codec = message<SyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.parameters != null) {
          w.uint32(10)
          PublicParameters.codec().encode(obj.parameters, w)
        }

        if (obj.head != null) {
          w.uint32(18)
          SyncHead.codec().encode(obj.head, w)
        }

        if ((obj.from != null && obj.from !== 0)) {
          w.uint32(24)
          w.uint32(obj.from)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: 0,
          items: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.parameters = PublicParameters.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.parameters
              })
              break
            }
            case 2: {
              obj.head = SyncHead.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.head
              })
              break
            }
            case 3: {
              obj.from = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PublicParameters.codec().stream(reader, reader.uint32(), `${prefix}.parameters`, {
                limits: opts.limits?.parameters
              })

              break
            }
            case 2: {
              yield * SyncHead.codec().stream(reader, reader.uint32(), `${prefix}.head`, {
                limits: opts.limits?.head
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.from`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              yield {
                field: `${prefix}.items[]`,
                index: obj.items,
                value: reader.bytes()
              }

              obj.items++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncResponseParametersOperatorPublicKeyXFieldEvent {
    field: '$.parameters.operatorPublicKey.x'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseParametersOperatorPublicKeyYFieldEvent {
    field: '$.parameters.operatorPublicKey.y'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseParametersKeyCommitmentFieldEvent {
    field: '$.parameters.keyCommitment'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseParametersDepthFieldEvent {
    field: '$.parameters.depth'
    value: number
  }

  export interface SyncResponseParametersMembershipVkeyHashFieldEvent {
    field: '$.parameters.membershipVkeyHash'
    value: string
  }

  export interface SyncResponseParametersLeafOpeningVkeyHashFieldEvent {
    field: '$.parameters.leafOpeningVkeyHash'
    value: string
  }

  export interface SyncResponseParametersVoteOptionsFieldEvent {
    field: '$.parameters.voteOptions'
    value: number
  }

  export interface SyncResponseHeadLeavesFieldEvent {
    field: '$.head.leaves'
    value: number
  }

  export interface SyncResponseHeadLogFieldEvent {
    field: '$.head.log'
    value: number
  }

  export interface SyncResponseHeadRootsFieldEvent {
    field: '$.head.roots'
    value: number
  }

  export interface SyncResponseHeadRootFieldEvent {
    field: '$.head.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseFromFieldEvent {
    field: '$.from'
    value: number
  }

  export interface SyncResponseItemsFieldEvent {
    field: '$.items[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): SyncResponse {
    return decodeMessage(buf, SyncResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): Generator<SyncResponseParametersOperatorPublicKeyXFieldEvent | SyncResponseParametersOperatorPublicKeyYFieldEvent | SyncResponseParametersKeyCommitmentFieldEvent | SyncResponseParametersDepthFieldEvent | SyncResponseParametersMembershipVkeyHashFieldEvent | SyncResponseParametersLeafOpeningVkeyHashFieldEvent | SyncResponseParametersVoteOptionsFieldEvent | SyncResponseHeadLeavesFieldEvent | SyncResponseHeadLogFieldEvent | SyncResponseHeadRootsFieldEvent | SyncResponseHeadRootFieldEvent | SyncResponseFromFieldEvent | SyncResponseItemsFieldEvent> {
    return streamMessage(buf, SyncResponse.codec(), opts)
  }
}

export interface StatusRequest {}

export namespace StatusRequest {
  let _codec: Codec<StatusRequest>

  export const codec = (): Codec<StatusRequest> => {
    if (_codec == null) {
      _codec = message<StatusRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<StatusRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StatusRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): StatusRequest {
    return decodeMessage(buf, StatusRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): Generator<{}> {
    return streamMessage(buf, StatusRequest.codec(), opts)
  }
}

export interface StatusResponse {
  role: string
  version: string
  leaves: number
  root: Uint8Array<ArrayBuffer>
  signups?: number
  deactivations?: number
  reactivationAttempts?: number
  votes?: number
}

export namespace StatusResponse {
  let _codec: Codec<StatusResponse>

  export const codec = (): Codec<StatusResponse> => {
    if (_codec == null) {
      _codec = message<StatusResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(10)
          w.string(obj.role)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(18)
          w.string(obj.version)
        }

        if ((obj.leaves != null && obj.leaves !== 0)) {
          w.uint32(24)
          w.uint32(obj.leaves)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.root)
        }

        if (obj.signups != null) {
          w.uint32(40)
          w.uint32(obj.signups)
        }

        if (obj.deactivations != null) {
          w.uint32(48)
          w.uint32(obj.deactivations)
        }

        if (obj.reactivationAttempts != null) {
          w.uint32(56)
          w.uint32(obj.reactivationAttempts)
        }

        if (obj.votes != null) {
          w.uint32(64)
          w.uint32(obj.votes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          role: '',
          version: '',
          leaves: 0,
          root: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.role = reader.string()
              break
            }
            case 2: {
              obj.version = reader.string()
              break
            }
            case 3: {
              obj.leaves = reader.uint32()
              break
            }
            case 4: {
              obj.root = reader.bytes()
              break
            }
            case 5: {
              obj.signups = reader.uint32()
              break
            }
            case 6: {
              obj.deactivations = reader.uint32()
              break
            }
            case 7: {
              obj.reactivationAttempts = reader.uint32()
              break
            }
            case 8: {
              obj.votes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.leaves`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signups`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.deactivations`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reactivationAttempts`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.votes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StatusResponseRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface StatusResponseVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface StatusResponseLeavesFieldEvent {
    field: '$.leaves'
    value: number
  }

  export interface StatusResponseRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StatusResponseSignupsFieldEvent {
    field: '$.signups'
    value: number
  }

  export interface StatusResponseDeactivationsFieldEvent {
    field: '$.deactivations'
    value: number
  }

  export interface StatusResponseReactivationAttemptsFieldEvent {
    field: '$.reactivationAttempts'
    value: number
  }

  export interface StatusResponseVotesFieldEvent {
    field: '$.votes'
    value: number
  }

  export function encode (obj: Partial<StatusResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StatusResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusResponse>): StatusResponse {
    return decodeMessage(buf, StatusResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusResponse>): Generator<StatusResponseRoleFieldEvent | StatusResponseVersionFieldEvent | StatusResponseLeavesFieldEvent | StatusResponseRootFieldEvent | StatusResponseSignupsFieldEvent | StatusResponseDeactivationsFieldEvent | StatusResponseReactivationAttemptsFieldEvent | StatusResponseVotesFieldEvent> {
    return streamMessage(buf, StatusResponse.codec(), opts)
  }
}
