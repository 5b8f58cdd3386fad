/** Chinese labels for what report readers see. */
import type { InspectionCheck, Light } from '../../domain/runbooks/daily-inspection.types.ts';

export const lightLabel: Record<Light, string> = {
  green: '🟢 正常',
  yellow: '🟡 关注',
  red: '🔴 异常',
  skipped: '⚪ 未检查',
};

export const checkLabel: Record<InspectionCheck, string> = {
  channels: '通道状态',
  queues: '传输队列/死信队列',
  frontEnd: '前置机连通性',
  programs: '收发程序',
  traffic: '当日业务量',
};

export const trafficLabel: Record<string, string> = {
  direct_payment: '直接支付凭证（发送）',
  authorized_payment: '授权支付凭证（发送）',
  quota_notice: '额度通知单（发送）',
  receipt: '回单（接收）',
  daily_report: '日报（接收）',
  payment_list: '清单（接收）',
  recon_file: '对账文件（接收）',
};
